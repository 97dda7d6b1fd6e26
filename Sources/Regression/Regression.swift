// Fixture regression mode (docs/regress.md):
// - Summary/: `liveladder summarize`, a canonical, stable summary of any HLS output.
// - Quality/: PSNR/SSIM (and VMAF when the FFmpeg build has libvmaf) of each rendition against its source,
//   computed with libavfilter through FFmpegKit.
// - Suite/: `liveladder regress`, a suite of cases run deterministically and compared with goldens.
