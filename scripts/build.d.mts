export const ROOT: string;
export function buildIsStale(): boolean;
export function build(options?: { force?: boolean; quiet?: boolean }): void;
