// The seed's `time.sleep(random.randint(1, 3))`, scaled from seconds to tenths so the examples run
// in a few seconds. Shared by the producer–consumer examples; not an example on its own.
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A random duration of 1–3 tenths of a second, for the seed's 1–3 s. */
export function seedPause(): Promise<void> {
  return sleep(100 * (1 + Math.floor(Math.random() * 3)));
}
