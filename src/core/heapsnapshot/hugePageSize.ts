// Byte lengths for the analysis's large arrays that let every page of them be a huge page.
//
// Where transparent huge pages are in use (the CLI asks glibc for them, see src/cli/hugePages.ts),
// the kernel puts a mapping on a 2 MiB boundary only when its length is a multiple of 2 MiB; any
// other mapping starts and ends with up to 2 MiB in 4 KiB pages, up to ~1,000 page faults per array
// (several microseconds each in a virtual machine). glibc maps a large allocation with its own
// header in front, rounded up to whole 4 KiB pages: asking for 4 KiB less than a multiple of 2 MiB
// gives a mapping of exactly that multiple. Measured (Node 20, glibc 2.36, Linux 6.18): twenty
// 16 MiB arrays cost 10,000 more page faults than twenty of 16 MiB - 4 KiB. The extra length is
// never touched; elsewhere it costs nothing but address space.
const HUGE_PAGE = 2 * 1024 * 1024;
const HEADER_ROOM = 4096;

export function hugePageBytes(bytes: number): number {
  if (bytes < HUGE_PAGE) return bytes;
  return Math.ceil((bytes + HEADER_ROOM) / HUGE_PAGE) * HUGE_PAGE - HEADER_ROOM;
}
