// Stands in for the "server-only" guard under vitest, where no bundler applies it.
export {};
