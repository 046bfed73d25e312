/**
 * Keys that come from evidence (event Data names, XML element and attribute names, header keys)
 * are written with these. A plain `object[name] = value` with the name `__proto__` changes the
 * object's prototype and loses the value, and `name in object` is true for `constructor` or
 * `toString` on any object, so a crafted or merely unusual name would drop data.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Sets the key only when the object does not have it as its own. */
export function setOwnIfAbsent<T>(target: Record<string, T>, key: string, value: T): void {
  if (!Object.hasOwn(target, key)) setOwn(target, key, value);
}
