// Mirrors the server's rule (GB/T 22239 complexity) so the form can say what is wrong before
// a round trip; the server still decides.
export function isStrongPassword(password: string): boolean {
  if (password.length < 8 || password.length > 128) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  return classes >= 3;
}
