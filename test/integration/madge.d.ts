/** The part of madge's API the architecture test uses (madge ships no types). */
declare module 'madge' {
  interface MadgeResult {
    circular(): string[][];
  }
  function madge(
    paths: string | string[],
    config?: { fileExtensions?: string[]; tsConfig?: string },
  ): Promise<MadgeResult>;
  export = madge;
}
