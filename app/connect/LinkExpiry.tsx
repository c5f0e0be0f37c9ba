"use client";

import { useEffect, useState } from "react";

/**
 * When a connect link stops working, in plain words and the end-customer's
 * own clock: "This link stops working in 9 minutes (at 14:32)." The page is
 * in English, so are the words; the time is written as the browser's locale
 * writes times, in its time zone. The server renders it from its own clock;
 * the browser then redoes it and keeps the minutes current.
 */
export function LinkExpiry({ expiresAt, locale }: { expiresAt: string; locale?: string }) {
  const [now, setNow] = useState(() => Date.now());
  const [lang, setLang] = useState(locale ?? "en");
  useEffect(() => {
    setLang(locale ?? navigator.language);
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, [locale]);
  // The server's clock and time zone are not the browser's: the first client render may differ, by design.
  return <span suppressHydrationWarning>{describeExpiry(new Date(expiresAt), now, lang)}</span>;
}

/** The sentence itself (exported for its unit test). */
export function describeExpiry(expiresAt: Date, now: number, locale: string, timeZone?: string): string {
  const minutes = Math.ceil((expiresAt.getTime() - now) / 60_000);
  if (minutes <= 0) return "This link has expired: go back to the app you came from and start again.";
  const inWords = new Intl.RelativeTimeFormat("en", { numeric: "auto" }).format(minutes, "minute");
  const clock = new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit", timeZone }).format(expiresAt);
  return `This link stops working ${inWords} (at ${clock}).`;
}
