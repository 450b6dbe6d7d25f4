// Apart from the screen, so that the router validates ?tab= without loading it.
export const TABS = ["compliance", "safety", "consistency", "claims"] as const;
export type Tab = (typeof TABS)[number];
