# Addresses, sockets, clocks, errno names and JSON text for lvslab's Perl programs (the real servers' service, the
# client probe, the guest's agent), with no module: loading Perl's Socket costs 0.1 s of CPU under emulation, these
# few lines nothing. Linux x86-64's numbers.
use strict;

sub AF_INET ()       { 2 }
sub AF_INET6 ()      { 10 }
sub SOCK_STREAM ()   { 1 }
sub SOCK_DGRAM ()    { 2 }
sub SOCK_NONBLOCK () { 2048 }
sub SOL_SOCKET ()    { 1 }
sub SO_REUSEADDR ()  { 2 }
sub SO_ERROR ()      { 4 }
sub IPPROTO_IPV6 ()  { 41 }
sub IPV6_V6ONLY ()   { 26 }
sub EINTR ()         { 4 }
sub EAGAIN ()        { 11 }
sub EINPROGRESS ()   { 115 }
sub SYS_CLOCK_GETTIME () { 228 }

# A clock's time in milliseconds (0 CLOCK_REALTIME, 1 CLOCK_MONOTONIC), without Time::HiRes.
sub clock_ms {
  my ($clock) = @_;
  my $ts = "\0" x 16;
  syscall(SYS_CLOCK_GETTIME, $clock, $ts) == 0 or die "clock_gettime: $!\n";
  my ($s, $ns) = unpack('q q', $ts);
  return $s * 1000 + int($ns / 1_000_000);
}

# Node's words for a failed call (`connect ECONNREFUSED 10.10.0.100:80`, `spawn ip ENOENT`).
my %ERRNO_NAME = (
  1 => 'EPERM', 2 => 'ENOENT', 8 => 'ENOEXEC', 13 => 'EACCES', 20 => 'ENOTDIR', 32 => 'EPIPE', 99 => 'EADDRNOTAVAIL',
  101 => 'ENETUNREACH', 103 => 'ECONNABORTED', 104 => 'ECONNRESET', 110 => 'ETIMEDOUT', 111 => 'ECONNREFUSED',
  113 => 'EHOSTUNREACH',
);
sub errno_name { my ($n) = @_; return $ERRNO_NAME{$n} // "errno $n"; }

my %ESCAPE = ((map { (chr($_) => sprintf('\u%04x', $_)) } 0 .. 31), "\n" => '\n', "\t" => '\t', "\r" => '\r', '"' => '\"', '\\' => '\\\\');
my $UTF8_CHAR = qr/[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]
  |\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}/x;

# Bytes as a JSON string: UTF-8 characters as \u escapes, any other byte above 127 as U+FFFD (as Node decodes them).
sub json_text {
  my ($text) = @_;
  $text =~ s/([\x00-\x1f"\\])/$ESCAPE{$1}/g;
  $text =~ s/($UTF8_CHAR)|[\x80-\xff]/defined($1) ? unicode_escape($1) : '\ufffd'/ge if $text =~ /[\x80-\xff]/;
  return qq("$text");
}

sub unicode_escape {
  my ($char) = @_;
  utf8::decode($char);
  my $code = ord($char);
  return sprintf('\u%04x', $code) if $code < 0x10000;
  $code -= 0x10000;
  return sprintf('\u%04x\u%04x', 0xD800 + ($code >> 10), 0xDC00 + ($code & 0x3FF));
}

# RFC 5952 text, as Node writes an address: the longest run of two or more zero groups (the first of equals) as ::.
sub ipv6_text {
  my @groups = unpack('n8', $_[0]);
  my ($best, $len) = (-1, 1);
  for (my $i = 0; $i < 8;) {
    if ($groups[$i] != 0) { $i++; next; }
    my $j = $i;
    $j++ while $j < 8 && $groups[$j] == 0;
    ($best, $len) = ($i, $j - $i) if $j - $i > $len;
    $i = $j;
  }
  my @hex = map { sprintf('%x', $_) } @groups;
  return join(':', @hex) if $best < 0;
  return join(':', @hex[0 .. $best - 1]) . '::' . join(':', @hex[$best + $len .. 7]);
}

# The 16 bytes of an IPv6 address's text (hex groups, one ::); undef for anything else.
sub ipv6_bytes {
  my ($text) = @_;
  my ($head, $tail) = split(/::/, $text, 2);
  my @head = length($head) ? split(/:/, $head) : ();
  my @tail = defined($tail) && length($tail) ? split(/:/, $tail) : ();
  my @groups = (@head, (defined($tail) ? ('0') x (8 - @head - @tail) : ()), @tail);
  return undef unless @groups == 8 && !grep { !/^[0-9a-fA-F]{1,4}$/ } @groups;
  return pack('n8', map { hex } @groups);
}

# A sockaddr_in or sockaddr_in6 for an address's text and a port; undef when the text is no address.
sub sockaddr {
  my ($address, $port) = @_;
  if ($address =~ /:/) {
    my $bytes = ipv6_bytes($address);
    return defined($bytes) ? pack('S n N a16 L', AF_INET6, $port, 0, $bytes, 0) : undef;
  }
  my @octets = split(/\./, $address, -1);
  return undef unless @octets == 4 && !grep { !/^\d{1,3}$/ || $_ > 255 } @octets;
  return pack('S n C4 x8', AF_INET, $port, @octets);
}

# `ADDRESS:PORT` of a sockaddr, as Node writes an endpoint (no brackets around IPv6); ? when there is none.
sub endpoint {
  my ($packed) = @_;
  return '?' unless defined($packed) && length($packed) >= 8;
  if (unpack('S', $packed) == AF_INET6) {
    my (undef, $port, undef, $bytes) = unpack('S n N a16', $packed);
    return ipv6_text($bytes) . ":$port";
  }
  my (undef, $port, @octets) = unpack('S n C4', $packed);
  return join('.', @octets) . ":$port";
}

1;
