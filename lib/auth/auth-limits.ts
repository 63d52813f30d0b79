/** A budget of attempts per fixed window. */
export interface AttemptLimit {
  max: number;
  windowSeconds: number;
}

/** Limits on signing in and up (house rule: limits are data, each enforced once — lib/auth/sign-in-guard.ts). */
export interface AuthLimits {
  /** Sign-in attempts from one client address, whatever the account (credential stuffing). */
  signInPerAddress: AttemptLimit;
  /** Sign-in attempts for one email, from anywhere (password guessing spread over many addresses). */
  signInPerAccount: AttemptLimit;
  /** `failures` failed sign-ins for one email within `windowSeconds` lock it for `lockSeconds`. */
  lockout: { failures: number; windowSeconds: number; lockSeconds: number };
  /** Sign-up attempts from one client address. */
  signUpPerAddress: AttemptLimit;
}

export const AUTH_LIMITS: AuthLimits = {
  // An office behind one NAT signs in at 9:00; 30 a minute is far above that and far below a spray.
  signInPerAddress: { max: 30, windowSeconds: 60 },
  signInPerAccount: { max: 10, windowSeconds: 60 },
  lockout: { failures: 10, windowSeconds: 15 * 60, lockSeconds: 15 * 60 },
  signUpPerAddress: { max: 10, windowSeconds: 60 },
};
