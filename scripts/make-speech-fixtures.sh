#!/usr/bin/env bash
# Regenerates fixtures/speech/*.wav (16 kHz mono s16le) from text with espeak-ng + sox
# (apt-get install espeak-ng sox). Voice, speed and word gap are chosen so that the small Vosk English model
# recognises espeak's synthetic speech well: with the defaults it mishears short phrases ("hello world" ->
# "the law world"). Each utterance gets 0.4 s of silence around it, as a person pressing a button would.
set -euo pipefail
cd "$(dirname "$0")/../fixtures/speech"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sox -n -r 16000 -c 1 -b 16 -e signed-integer "$tmp/pad.wav" trim 0 0.4
sox -n -r 16000 -c 1 -b 16 -e signed-integer "$tmp/pause.wav" trim 0 1.2
# say NAME VOICE "TEXT" -> $tmp/NAME.wav, padded
say() {
  espeak-ng -v "$2" -s 140 -g 4 -w "$tmp/raw.wav" "$3"
  sox "$tmp/raw.wav" -r 16000 -c 1 -b 16 -e signed-integer "$tmp/body.wav"
  sox "$tmp/pad.wav" "$tmp/body.wav" "$tmp/pad.wav" "$tmp/$1.wav"
}
say time en-us+m3 "what time is it"
say weather en-us "the weather is nice today"
say numbers en-us+m3 "my phone number is five five five one two three four"
say kitchen en-us+m3 "turn on the kitchen light"
say train en-us+m3 "can you help me find the train station"
say pizza en-us+m3 "i would like to order a pizza"
cp "$tmp/time.wav" time.wav
cp "$tmp/weather.wav" weather.wav
cp "$tmp/numbers.wav" numbers.wav
# three sentences separated by 1.2 s pauses, so the engine ends a segment at each
sox "$tmp/kitchen.wav" "$tmp/pause.wav" "$tmp/train.wav" "$tmp/pause.wav" "$tmp/pizza.wav" sentences.wav
# names.wav: not in transcripts.tsv (the corpus WER stays the four above); VoskEngineTest holds its text. Without
# hints the small model hears "please call tomorrow" (VoskEngineTest measures the hotwords' effect); its last
# sentence has a word of the profanity list for the end-to-end check of "profanity": "mask".
say stella en-us+m3 "please call stella tomorrow"
say marianne en-us+m3 "ask marianne about the party"
say crap en-us+m3 "this is crap"
sox "$tmp/stella.wav" "$tmp/pause.wav" "$tmp/marianne.wav" "$tmp/pause.wav" "$tmp/crap.wav" names.wav
printf 'file\ttext\ntime.wav\twhat time is it\nweather.wav\tthe weather is nice today\nnumbers.wav\tmy phone number is five five five one two three four\nsentences.wav\tturn on the kitchen light can you help me find the train station i would like to order a pizza\n' > transcripts.tsv
