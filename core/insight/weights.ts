/** Weights of the assessment (三率): the composite and the partial answers inside two rates. */
export interface Weights {
  response: number;
  resolution: number;
  satisfaction: number;
  /** weight of 基本满意 inside the satisfaction rate */
  basically: number;
  /** weight of 部分解决 inside the resolution rate (0 = only 解决 counts) */
  partly: number;
}

/** Beijing's: composite = 0.1·响应率 + 0.5·解决率 + 0.4·满意率; 基本满意 counts 0.9. ASSESS_WEIGHTS changes them. */
export const DEFAULT_WEIGHTS: Weights = { response: 0.1, resolution: 0.5, satisfaction: 0.4, basically: 0.9, partly: 0 };
