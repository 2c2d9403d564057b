export const generatedPath: string;
export function generateKernelModule(): Promise<string>;
