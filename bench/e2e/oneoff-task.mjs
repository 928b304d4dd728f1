// The task of the one-off programs, for our Pool and piscina alike.
export function double(x) {
  return x * 2;
}
