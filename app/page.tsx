import { redirect } from "next/navigation";
import { getMember } from "@/lib/auth/session";

export default async function Home() {
  redirect((await getMember()) ? "/workflows" : "/sign-in");
}
