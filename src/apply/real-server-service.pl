#!/usr/bin/perl
# The real servers' service: one process per real server (`ip netns exec <rs> perl real-server-service.pl NODE
# tcp:ADDRESS:PORT udp:ADDRESS:PORT ...`), serving every listener of that server. Each answer is one line naming who
# answered, the peer it saw and the address it was reached on: `node=rs1 peer=CIP:port local=VIP:port`. Over TCP,
# "bytes=N" in the first line asks for N bytes of padding after it; an HTTP GET gets a response head first, with the
# body's length (a body cut short is an error to the client).
# One process, no process per request (socat forking a shell per connection cost 0.1 s of the guest's CPU each under
# emulation), and Perl with no module: a Node service cost 0.4 s of the guest's CPU to start, this one 0.02 s.
use strict;

# Sockets and addresses without a module (src/model/inet.pl).
BEGIN { require((__FILE__ =~ m{^/} ? '' : './') . (__FILE__ =~ s{[^/]*$}{}r) . '../model/inet.pl'); }

# The words lvslab knows the service by (src/model/service-words.ts): its comm, and its line once it serves.
my $PROGRAM = 'lvslab-service';
my $READY = 'lvslab-service ready';
# A connection idle this long ends: a download stalled by a failover must outlive TCP's retransmission backoff.
my $IDLE_S = 60;
# Padding is written in pieces of this size, each when the socket can take it.
my $CHUNK = '.' x 65536;
# A request's first line and headers are read up to this much; the rest is not kept.
my $KEEP = 16384;

$0 = $PROGRAM;
$SIG{PIPE} = 'IGNORE';

sub identity_line { my ($node, $peer, $local) = @_; return "node=$node peer=$peer local=$local\n"; }

# `tcp:ADDRESS:PORT`, IPv6 in brackets (udp:[fd00:10::100]:80); undef for anything else.
sub parse_listener {
  my ($text) = @_;
  return undef unless $text =~ /^(tcp|udp):(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]+\]):(\d{1,5})$/;
  my ($protocol, $address, $port) = ($1, $2, $3);
  return undef if $port < 1 || $port > 65535;
  $address =~ s/^\[|\]$//g;
  return undef unless defined sockaddr($address, $port);
  return { protocol => $protocol, address => $address, port => $port };
}

my $node = shift(@ARGV);
my @texts = @ARGV;
if (!defined($node) || !@texts) { print STDERR "usage: real-server-service NODE tcp|udp:ADDRESS:PORT ...\n"; exit 2; }
my @listeners;
for my $text (@texts) {
  my $listener = parse_listener($text);
  if (!$listener) { print STDERR "not a listener (tcp|udp:ADDRESS:PORT): $text\n"; exit 2; }
  push @listeners, $listener;
}

sub fail { print STDERR "real-server-service $node: $_[0]\n"; exit 1; }

# fileno -> what it is: a listener (tcp or udp) or a connection.
my %by_fd;
for my $l (@listeners) {
  my $family = $l->{address} =~ /:/ ? AF_INET6 : AF_INET;
  my $type = $l->{protocol} eq 'tcp' ? SOCK_STREAM : SOCK_DGRAM;
  my $where = "$l->{protocol}:$l->{address}:$l->{port}";
  socket(my $fh, $family, $type | SOCK_NONBLOCK, 0) or fail("socket for $where: $!");
  setsockopt($fh, SOL_SOCKET, SO_REUSEADDR, pack('i', 1)) or fail("SO_REUSEADDR for $where: $!");
  # An IPv6 listener takes IPv6 alone: an IPv4 client reaching [::] would be seen as ::ffff:CIP.
  if ($family == AF_INET6) { setsockopt($fh, IPPROTO_IPV6, IPV6_V6ONLY, pack('i', 1)) or fail("IPV6_V6ONLY for $where: $!"); }
  bind($fh, sockaddr($l->{address}, $l->{port})) or fail("listen $where: $!");
  if ($type == SOCK_STREAM) { listen($fh, 511) or fail("listen $where: $!"); }
  $by_fd{ fileno($fh) } = { kind => $l->{protocol}, fh => $fh, listener => $l };
}
{ local $| = 1; print "$READY\n"; }

# The padding a request asks for ("bytes=N" anywhere in its first line).
sub asked_bytes { my ($first) = @_; return $first =~ /bytes=(\d+)/ ? 0 + $1 : 0; }

sub http_head {
  my ($length) = @_;
  return "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: $length\r\nX-Lvslab-Node: $node\r\nConnection: close\r\n\r\n";
}

sub drop { my ($c) = @_; delete $by_fd{ fileno($c->{fh}) }; close($c->{fh}); }

# The answer to a connection: the identity line (after an HTTP head for a GET), then its padding.
sub answer {
  my ($c) = @_;
  return if $c->{answered}++;
  my ($first) = split(/\n/, $c->{request}, 2);
  $first //= '';
  my $line = identity_line($node, endpoint(getpeername($c->{fh})), endpoint(getsockname($c->{fh})));
  my $bytes = asked_bytes($first);
  $c->{out} = $first =~ /^GET / ? http_head(length($line) + $bytes) . $line : $line;
  $c->{pad} = $bytes;
  flush($c);
}

# Writes what the socket takes; once all is written, ends its side (the client reads to the end). The connection is
# closed once the client has ended its side too: a close with bytes unread would reset it, cutting the answer short.
sub flush {
  my ($c) = @_;
  for (;;) {
    if (!length($c->{out})) {
      if ($c->{pad} == 0) {
        shutdown($c->{fh}, 1);
        $c->{written} = 1;
        return $c->{eof} ? drop($c) : undef;
      }
      $c->{out} = $c->{pad} >= length($CHUNK) ? $CHUNK : substr($CHUNK, 0, $c->{pad});
      $c->{pad} -= length($c->{out});
    }
    my $n = syswrite($c->{fh}, $c->{out});
    if (!defined $n) { return if $! + 0 == EAGAIN; return drop($c); }
    substr($c->{out}, 0, $n) = '';
  }
}

sub read_request {
  my ($c) = @_;
  my $n = sysread($c->{fh}, my $chunk, 65536);
  if (!defined $n) { return if $! + 0 == EAGAIN; return drop($c); }
  # A health check that connects and closes gets its answer too, as it would from any server.
  if ($n == 0) {
    $c->{eof} = 1;
    return $c->{written} ? drop($c) : $c->{answered} ? undef : answer($c);
  }
  return if $c->{answered}; # what a client sends after its request is not kept
  $c->{request} .= $chunk if length($c->{request}) < $KEEP;
  my $line_end = index($c->{request}, "\n");
  return if $line_end < 0;
  # An HTTP request is answered once its headers have ended (an empty line); anything else at its first line.
  answer($c) if $c->{request} !~ /^GET / || substr($c->{request}, $line_end) =~ /\r?\n\r?\n/;
}

sub accept_all {
  my ($l) = @_;
  while (my $peer = accept(my $fh, $l->{fh})) {
    # The accepted socket does not inherit O_NONBLOCK: 4 = F_SETFL, 2048 = O_NONBLOCK.
    fcntl($fh, 4, 2048);
    $by_fd{ fileno($fh) } = { kind => 'connection', fh => $fh, request => '', out => '', pad => 0, seen => time() };
  }
}

sub answer_datagram {
  my ($l) = @_;
  while (defined(my $from = recv($l->{fh}, my $message, 65536, 0))) {
    my $local = "$l->{listener}{address}:$l->{listener}{port}";
    send($l->{fh}, identity_line($node, endpoint($from), $local), 0, $from);
  }
}

for (;;) {
  my ($readable, $writable) = ('', '');
  my $now = time();
  for my $fd (keys %by_fd) {
    my $c = $by_fd{$fd};
    if ($c->{kind} eq 'connection') {
      if ($now - $c->{seen} > $IDLE_S) { drop($c); next; }
      vec($writable, $fd, 1) = 1 if $c->{answered} && !$c->{written};
      vec($readable, $fd, 1) = 1 unless $c->{eof};
    } else {
      vec($readable, $fd, 1) = 1;
    }
  }
  my $ready = select($readable, $writable, undef, 5);
  if ($ready < 0) { next if $! + 0 == EINTR; fail("select: $!"); }
  next if $ready == 0;
  for my $fd (keys %by_fd) {
    my $c = $by_fd{$fd} or next;
    if ($c->{kind} eq 'tcp') { accept_all($c) if vec($readable, $fd, 1); next; }
    if ($c->{kind} eq 'udp') { answer_datagram($c) if vec($readable, $fd, 1); next; }
    next unless vec($readable, $fd, 1) || vec($writable, $fd, 1);
    $c->{seen} = $now;
    read_request($c) if vec($readable, $fd, 1);
    flush($c) if $by_fd{$fd} && $c->{answered} && !$c->{written} && vec($writable, $fd, 1);
  }
}
