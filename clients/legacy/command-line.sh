# The old service's guide, command-line checks (verbatim; HOST and TOKEN are the guide's placeholders; the
# wscat line is followed by what the guide types into it).
curl http://HOST/health
curl -H "Authorization: Bearer TOKEN" -F audio=@fixtures/speech/weather.wav http://HOST/api/realtime-voice/recognize
wscat -c ws://HOST/api/realtime-voice/stream
> {"type":"ping"}
