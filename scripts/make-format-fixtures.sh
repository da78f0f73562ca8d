#!/usr/bin/env bash
# Regenerates fixtures/formats/* from fixtures/speech/*.wav (apt-get install sox lame ffmpeg): the same speech in
# the other encodings clients send (other PCM rates, stereo, WAV layouts, MP3 as WeChat's RecorderManager makes it).
# Each file stays under 200 KB; the texts are those of the source fixture (transcripts.tsv in this folder).
set -euo pipefail
cd "$(dirname "$0")/../fixtures"
src=speech; out=formats
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# "what time is it" with 0.05 s of the padding left on each side, so the high-rate files stay small
sox "$src/time.wav" "$tmp/time.wav" trim 0.35 -0.35
# raw little-endian 16-bit PCM, as a client streams it (sox's rate effect: a steep linear-phase low-pass). At 8 kHz
# only "what time is it" survives the lost band for the 16 kHz English model ("the weather is nice today" does not).
sox "$tmp/time.wav" -t raw -e signed -b 16 -r 8000 -c 1 "$out/time-8k-mono.s16le"
sox "$tmp/time.wav" -t raw -e signed -b 16 -r 44100 -c 1 "$out/time-44k1-mono.s16le"
# stereo: the right channel is the left one at half level, so a downmix that takes one channel differs from an average
sox "$tmp/time.wav" -t raw -e signed -b 16 -r 22050 "$out/time-22k05-stereo.s16le" remix 1 1v0.5
# WAV layouts: ffmpeg (LIST/INFO chunk before data), 32-bit float (format 3 with a fact chunk), sox 24-bit
# (WAVE_FORMAT_EXTENSIBLE)
ffmpeg -loglevel error -y -i "$tmp/time.wav" -ar 48000 -ac 1 -c:a pcm_s16le "$out/time-48k-ffmpeg.wav"
ffmpeg -loglevel error -y -i "$tmp/time.wav" -ar 8000 -ac 1 -c:a pcm_f32le "$out/time-8k-float.wav"
sox "$src/weather.wav" -b 24 "$out/weather-16k-24bit.wav"
# MP3: WeChat RecorderManager's defaults (16 kHz mono, 48 kbit/s, MPEG-2 layer III, no tag), MPEG-2.5 at 8 kHz,
# and MPEG-1 44.1 kHz stereo with an ID3v2 tag (ffmpeg's default) over three sentences
lame --quiet -b 48 -m m "$src/weather.wav" "$out/weather-16k-mono.mp3"
sox "$src/time.wav" -r 8000 "$tmp/time8k.wav"
lame --quiet -b 16 -m m "$tmp/time8k.wav" "$out/time-8k-mono.mp3"
ffmpeg -loglevel error -y -i "$src/sentences.wav" -ar 44100 -ac 2 -c:a libmp3lame -b:a 96k "$out/sentences-44k1-stereo.mp3"
printf 'file\ttext\n' > "$out/transcripts.tsv"
for f in "$out"/*; do
  case "$(basename "$f")" in
    time-*) t="what time is it" ;;
    weather-*) t="the weather is nice today" ;;
    sentences-*) t="turn on the kitchen light can you help me find the train station i would like to order a pizza" ;;
    *) continue ;;
  esac
  printf '%s\t%s\n' "$(basename "$f")" "$t" >> "$out/transcripts.tsv"
done
