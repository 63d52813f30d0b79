"use client";

import type { ReactElement } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { formatCost } from "@/lib/models/cost";
import { formatDuration, formatNumber } from "@/lib/utils";

/**
 * The Overview's charts: small client components that draw the plain per-day figures the page
 * computed on the server (lib/analytics/overview.ts). One point per UTC day.
 */

/** The per-day figures a chart needs (a subset of DayFigures, so the page can pass its rows as they are). */
export interface ChartDay {
  day: string;
  queued: number;
  running: number;
  waiting: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  p50Ms: number | null;
  p95Ms: number | null;
  successRate: number | null;
  promptTokens: number;
  completionTokens: number;
  cost: Record<string, number>;
}

// The status badges' colours (components/ui/badge.tsx), so a bar reads like the runs list.
const STATUS_SERIES = [
  { key: "succeeded", label: "Succeeded", color: "#22c55e" },
  { key: "failed", label: "Failed", color: "#ef4444" },
  { key: "cancelled", label: "Cancelled", color: "#d4d4d8" },
  { key: "waiting", label: "Waiting", color: "#f59e0b" },
  { key: "running", label: "Running", color: "#3b82f6" },
  { key: "queued", label: "Queued", color: "#a1a1aa" },
] as const;

/** "Nov 28" from "2026-11-28", as UTC (the day is a UTC day). */
const shortDay = (day: string) => new Date(`${day}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });

const axis = { fontSize: 12, stroke: "#71717a" } as const;

function ChartCard({ title, description, testId, children }: { title: string; description: string; testId: string; children: ReactElement }) {
  return (
    <Card role="figure" aria-label={title} data-testid={testId}>
      <CardHeader className="pb-2">
        <CardTitle className="text-sm">{title}</CardTitle>
        <CardDescription className="text-xs">{description}</CardDescription>
      </CardHeader>
      <CardContent className="h-64">
        <ResponsiveContainer width="100%" height="100%">
          {children}
        </ResponsiveContainer>
      </CardContent>
    </Card>
  );
}

export function RunsByStatusChart({ days }: { days: ChartDay[] }) {
  return (
    <ChartCard title="Runs per day" description="By status, UTC days." testId="chart-runs-per-day">
      <BarChart data={days} margin={{ top: 4, right: 8, left: -16, bottom: 0 }}>
        <CartesianGrid vertical={false} strokeDasharray="3 3" />
        <XAxis dataKey="day" tickFormatter={shortDay} tick={axis} minTickGap={16} />
        <YAxis allowDecimals={false} tick={axis} />
        <Tooltip labelFormatter={(day) => shortDay(String(day))} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {STATUS_SERIES.map((series) => (
          <Bar key={series.key} dataKey={series.key} name={series.label} stackId="status" fill={series.color} isAnimationActive={false} />
        ))}
      </BarChart>
    </ChartCard>
  );
}

export function SuccessRateChart({ days }: { days: ChartDay[] }) {
  const data = days.map((day) => ({ day: day.day, rate: day.successRate === null ? null : day.successRate * 100 }));
  const percent = (value: number) => `${Math.round(value)}%`;
  return (
    <ChartCard title="Success rate per day" description="Succeeded ÷ (succeeded + failed), per day; gaps where no run ended." testId="chart-success-rate">
      <LineChart data={data} margin={{ top: 4, right: 8, left: -8, bottom: 0 }}>
        <CartesianGrid vertical={false} strokeDasharray="3 3" />
        <XAxis dataKey="day" tickFormatter={shortDay} tick={axis} minTickGap={16} />
        <YAxis domain={[0, 100]} tickFormatter={percent} tick={axis} />
        <Tooltip labelFormatter={(day) => shortDay(String(day))} formatter={(value) => `${Number(value).toFixed(1)}%`} />
        <Line dataKey="rate" name="Success rate" stroke="#22c55e" dot={false} isAnimationActive={false} />
      </LineChart>
    </ChartCard>
  );
}

export function DurationChart({ days }: { days: ChartDay[] }) {
  return (
    <ChartCard title="Duration" description="p50 and p95 of runs that succeeded or failed." testId="chart-duration">
      <LineChart data={days} margin={{ top: 4, right: 8, left: 8, bottom: 0 }}>
        <CartesianGrid vertical={false} strokeDasharray="3 3" />
        <XAxis dataKey="day" tickFormatter={shortDay} tick={axis} minTickGap={16} />
        <YAxis tickFormatter={(ms: number) => formatDuration(ms)} tick={axis} width={64} />
        <Tooltip labelFormatter={(day) => shortDay(String(day))} formatter={(value) => formatDuration(Number(value))} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Line dataKey="p50Ms" name="p50" stroke="#3b82f6" dot={false} connectNulls isAnimationActive={false} />
        <Line dataKey="p95Ms" name="p95" stroke="#f59e0b" dot={false} connectNulls isAnimationActive={false} />
      </LineChart>
    </ChartCard>
  );
}

export function TokensChart({ days }: { days: ChartDay[] }) {
  return (
    <ChartCard title="Tokens per day" description="Prompt and completion tokens of every run." testId="chart-tokens-per-day">
      <BarChart data={days} margin={{ top: 4, right: 8, left: 8, bottom: 0 }}>
        <CartesianGrid vertical={false} strokeDasharray="3 3" />
        <XAxis dataKey="day" tickFormatter={shortDay} tick={axis} minTickGap={16} />
        <YAxis tickFormatter={(n: number) => formatNumber(n)} tick={axis} width={64} />
        <Tooltip labelFormatter={(day) => shortDay(String(day))} formatter={(value) => formatNumber(Number(value))} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="promptTokens" name="Prompt" stackId="tokens" fill="#6366f1" isAnimationActive={false} />
        <Bar dataKey="completionTokens" name="Completion" stackId="tokens" fill="#a5b4fc" isAnimationActive={false} />
      </BarChart>
    </ChartCard>
  );
}

/** One chart per currency: amounts in different currencies are never drawn on one scale or added. */
export function CostChart({ days, currency }: { days: ChartDay[]; currency: string }) {
  const data = days.map((day) => ({ day: day.day, amount: day.cost[currency] ?? 0 }));
  const money = (value: number) => formatCost({ [currency]: value });
  return (
    <ChartCard title={`Cost per day (${currency})`} description={`Model calls priced in ${currency}.`} testId={`chart-cost-${currency}`}>
      <BarChart data={data} margin={{ top: 4, right: 8, left: 8, bottom: 0 }}>
        <CartesianGrid vertical={false} strokeDasharray="3 3" />
        <XAxis dataKey="day" tickFormatter={shortDay} tick={axis} minTickGap={16} />
        <YAxis tickFormatter={money} tick={axis} width={72} />
        <Tooltip labelFormatter={(day) => shortDay(String(day))} formatter={(value) => money(Number(value))} />
        <Bar dataKey="amount" name={currency} fill="#10b981" isAnimationActive={false} />
      </BarChart>
    </ChartCard>
  );
}
