/** A Debian package of the set-up: what it is for, its fallback when optional, whether only the tests need it. */
export interface DebianPackage {
  name: string;
  for: string;
  optional?: string;
  tests?: boolean;
}
export const PACKAGES: readonly DebianPackage[];
export function planPackages(options: {
  purpose: "reproduce" | "test";
  present: (name: string) => boolean;
  isRoot: boolean;
  hasAptGet: boolean;
}): { action: "none" | "install" | "warn" | "fail"; packages: string[]; message: string };
