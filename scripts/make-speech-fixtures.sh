#!/usr/bin/env bash
# Regenerates fixtures/speech/*.wav (16 kHz mono s16le) from text with espeak-ng + sox.
set -euo pipefail
cd "$(dirname "$0")/../fixtures/speech"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
say() { espeak-ng -v en-us -s 150 -w "$tmp/$1.wav" "$2"; sox "$tmp/$1.wav" -r 16000 -c 1 -b 16 -e signed-integer "$3"; }
say hello "hello world" hello.wav
say weather "the weather is nice today" weather.wav
say numbers "one two three four five six seven eight nine ten" numbers.wav
# several sentences separated by 1.2 s of silence, so the engine ends a segment at each pause
say a "please call stella" "$tmp/a16.wav"
say b "ask her to bring these things with her from the store" "$tmp/b16.wav"
say c "six spoons of fresh snow peas" "$tmp/c16.wav"
sox -n -r 16000 -c 1 -b 16 "$tmp/sil.wav" trim 0.0 1.2
sox "$tmp/a16.wav" "$tmp/sil.wav" "$tmp/b16.wav" "$tmp/sil.wav" "$tmp/c16.wav" sentences.wav
