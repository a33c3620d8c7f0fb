export interface RealLayoutOptions {
  /** Pretty-printed as the FR endpoint serves it; otherwise compact as GPO's daily issues. */
  pretty?: boolean;
  /** The rule's own citation ("84 FR 54002"): the table prints it as a placeholder. */
  citation?: string | null;
  /** ISO publication date, for the placeholder. */
  publicationDate?: string;
  /** Picks among the real layout's equivalent forms. */
  variant?: number;
}
export function renderRealLayout(xml: string, options?: RealLayoutOptions): string;
export function reserialize(xml: string, style: 'pretty' | 'compact'): string;
