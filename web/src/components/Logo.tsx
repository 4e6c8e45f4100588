/** A star (天枢 is the first star of the Big Dipper) on a rounded square; no image asset needed. */
export function Logo({ size = 32, inverted = false }: { size?: number; inverted?: boolean }) {
  const bg = inverted ? '#1f4e99' : '#ffffff';
  const fg = inverted ? '#ffffff' : '#1f4e99';
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="6" fill={bg} />
      <path d="M16 5l2.6 7.4H26l-6 4.5 2.3 7.4L16 19.8l-6.3 4.5L12 16.9 6 12.4h7.4z" fill={fg} />
    </svg>
  );
}
