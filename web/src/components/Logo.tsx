/** The centre's mark: a house over a drop, drawn inline so it needs no request and no data: URL. */
export function Logo() {
  return (
    <svg class="logo" viewBox="0 0 32 32" width="36" height="36" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="7" fill="#0b4f8c" />
      <path d="M7 15.5 16 8l9 7.5" fill="none" stroke="#fff" stroke-width="2.2" stroke-linecap="round" />
      <path d="M16 13.5c-2.3 3-3.6 5.1-3.6 6.7a3.6 3.6 0 0 0 7.2 0c0-1.6-1.3-3.7-3.6-6.7Z" fill="#8fd0ff" />
    </svg>
  );
}
