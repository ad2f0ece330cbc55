#!/bin/sh
# The real servers' service, run by socat for each TCP connection or UDP datagram.
# Answers one line naming who answered, the peer it saw and the address it was reached on;
# over TCP, when the first line asks for it ("bytes=N" anywhere in it), N bytes of padding follow.
# An HTTP GET gets a response head first, with the body's length: a body cut short is an error to the client.
# Usage: real-server-service.sh NODE tcp|udp LISTEN_ADDRESS PORT
node=$1 protocol=$2 listening=$3:$4
IFS= read -r request || true
local_address="$SOCAT_SOCKADDR:$SOCAT_SOCKPORT"
# socat leaves the local address unset for UDP-RECVFROM; the service is bound to exactly one address there.
[ "$local_address" = ":" ] && local_address=$listening
line=$(printf 'node=%s peer=%s:%s local=%s' "$node" "$SOCAT_PEERADDR" "$SOCAT_PEERPORT" "$local_address")
bytes=0
case "$request" in
  *bytes=[0-9]*) bytes=${request#*bytes=}; bytes=${bytes%%[!0-9]*} ;;
esac
[ "$protocol" = tcp ] || bytes=0
case "$request" in
  GET\ *) while IFS= read -r header && [ -n "$header" ] && [ "$header" != "$(printf '\r')" ]; do :; done
          printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %s\r\nX-Lvslab-Node: %s\r\nConnection: close\r\n\r\n' \
            "$((${#line} + 1 + bytes))" "$node" ;;
esac
printf '%s\n' "$line"
if [ "$bytes" -gt 0 ]; then head -c "$bytes" /dev/zero | tr '\0' '.'; fi
