// Types the operators and Pool share to check a call's arguments against its function at compile time.

/**
 * The `initargs` an initializer taking `I` needs: required unless it has no required parameter
 * (nothing when there is no initializer, or its parameters are unknown).
 *
 * @example
 * export function connect(url: string) {}
 * const options: InitargsOption<[url: string]> = { initargs: ['db://'] };
 */
export type InitargsOption<I extends readonly unknown[]> = [I] extends [never[]]
  ? unknown
  : [] extends I
    ? unknown
    : {
        /** The initializer's arguments: required, as some of its parameters are. */
        readonly initargs: Readonly<I>;
      };

/**
 * An options parameter `O`, optional unless the target's arguments `A` are required (they are in it).
 *
 * @example
 * type Rest = OptionsArgument<{ args: [number] }, [n: number]>; // [options: { args: [number] }]
 */
export type OptionsArgument<O, A extends readonly unknown[]> = [] extends A ? [options?: O] : [options: O];

/**
 * What an explicit type argument must be when none was given (it then defaults to never): a type no
 * value has, so that such a call fails to compile instead of being typed with nothing.
 *
 * @example
 * type Item = ExplicitType<string>; // string; ExplicitType<never> matches no value
 */
export type ExplicitType<T> = [T] extends [never] ? { readonly [EXPLICIT_TYPE]: 'give the item type as a type argument' } : T;

declare const EXPLICIT_TYPE: unique symbol;
