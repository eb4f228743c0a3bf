/**
 * The payment limits the API checks and the page checks as the resident types: pure constants,
 * safe to bundle for the browser (the rest of the payment model is server-side).
 */

/** 500 000 ₽: far above any household's bill, low enough to stop a slipped finger or a typo. */
export const MAX_PAYMENT_KOPECKS = 50_000_000;
