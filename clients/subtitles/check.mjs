// Checks a WebVTT and a SubRip export with parsers this project did not write (W3C's webvtt-parser, srt-parser-2).
// Usage: node check.mjs FILE.vtt FILE.srt; prints one JSON line: the cues each parser found, and the VTT errors.
import { readFileSync } from 'node:fs';
import webvtt from 'webvtt-parser';
import SrtParser from 'srt-parser-2';

const [vttFile, srtFile] = process.argv.slice(2);
const vtt = new webvtt.WebVTTParser().parse(readFileSync(vttFile, 'utf8'), 'subtitles');
const srt = new SrtParser().fromSrt(readFileSync(srtFile, 'utf8'));
const cueText = (c) => c.text.replace(/\n/g, ' ');
console.log(JSON.stringify({
  vttErrors: vtt.errors.map((e) => `line ${e.line}: ${e.message}`),
  vttCues: vtt.cues.map((c) => ({ start: c.startTime, end: c.endTime, text: cueText(c) })),
  srtCues: srt.map((c) => ({ start: c.startSeconds, end: c.endSeconds, text: cueText(c) })),
}));
