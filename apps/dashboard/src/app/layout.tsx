import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "../trpc/react.tsx";
import "./globals.css";

export const metadata: Metadata = {
  title: "Thaw",
  description: "VGG16 transfer learning with an experiment tracker",
};

const NAV = [
  { href: "/runs", label: "Runs" },
  { href: "/launch", label: "Launch" },
  { href: "/compare", label: "Compare" },
  { href: "/models", label: "Models" },
  { href: "/try", label: "Try it" },
];

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href="/runs" className="brand">
            <span className="brand-mark">❄</span> Thaw
          </Link>
          <nav>
            {NAV.map((item) => (
              <Link key={item.href} href={item.href}>
                {item.label}
              </Link>
            ))}
          </nav>
        </header>
        <main className="page">
          <TRPCReactProvider>{children}</TRPCReactProvider>
        </main>
      </body>
    </html>
  );
}
