#!/usr/bin/perl
# The client-side probe, run inside a client's namespace (`ip netns exec <lab>-client perl probe.pl ...`; its
# arguments are written by probe-argv.ts). It makes every request from a fresh source port and prints the
# answers as one JSON array. Perl, with no module at all: under emulation a Node process cost 0.5 s of the
# guest's CPU per probe (0.25 s to start), this one a few hundredths (perl-base is part of every Debian).
#
#   probe.pl PROTOCOL VIP PORT COUNT BYTES [PROTOCOL VIP PORT COUNT BYTES ...]
#       each target COUNT times, one request after the other
#   probe.pl --timeline EVERY_MS FOR_MS TIMEOUT_MS STARTED_FILE STOP_FILE tcp VIP PORT 1 BYTES
#       a request every EVERY_MS for FOR_MS (or until STOP_FILE exists), each on its own; STARTED_FILE is
#       created once the probe runs (- for none); each answer carries `at`, when it was sent
use strict;

# Sockets, addresses, errno names and JSON text without a module (src/model/inet.pl).
BEGIN { require((__FILE__ =~ m{^/} ? '' : './') . (__FILE__ =~ s{[^/]*$}{}r) . '../model/inet.pl'); }
# A healthy answer takes well under a second even under emulation; a broken lab should not cost minutes.
my $TIMEOUT_MS = 2500;
# Of an answer, the text kept for its first line (the rest is only counted).
my $KEEP = 4096;

$SIG{PIPE} = 'IGNORE';

# The wall clock, as Node's Date.now() (the answers' `at`).
sub now_ms { return clock_ms(0); }

# One answer as JSON, its fields in a fixed order (numbers and booleans bare, the rest strings).
sub answer_json {
  my ($a) = @_;
  my @fields;
  for my $key (qw(protocol target ok node seenPeer seenLocal replyFrom bytes error ms at)) {
    next unless defined $a->{$key};
    my $v = $a->{$key};
    my $text = $key eq 'ok' ? ($v ? 'true' : 'false') : $key =~ /^(bytes|ms|at)$/ ? 0 + $v : json_text($v);
    push @fields, json_text($key) . ":$text";
  }
  return '{' . join(',', @fields) . '}';
}

# The service's first line: `node=rs1 peer=CIP:port local=VIP:port` (after an HTTP head, if any).
sub service_line {
  my ($text) = @_;
  my ($line) = grep { /^node=/ } split(/\n/, $text);
  my %f;
  if (defined $line) { $f{$1} = $2 while $line =~ /\b(node|peer|local)=(\S+)/g; }
  return \%f;
}

my @in_flight;

# Ends a request: its answer goes to its callback, once.
sub finish {
  my ($r, $error) = @_;
  return if $r->{done}++;
  close($r->{fh}) if $r->{fh};
  my $t = $r->{target};
  my $answer = { protocol => $t->{protocol}, target => "$t->{vip}:$t->{port}", ms => now_ms() - $r->{started} };
  if ($t->{protocol} eq 'tcp') {
    my $line = service_line($r->{text});
    $answer->{ok} = !defined($error) && defined($line->{node});
    @$answer{qw(node seenPeer seenLocal)} = @$line{qw(node peer local)};
    $answer->{replyFrom} = $r->{peer} // "$t->{vip}:$t->{port}";
    $answer->{bytes} = $r->{bytes};
    $answer->{error} = $error // ($answer->{ok} ? undef : 'no answer line');
  } elsif (defined $error) {
    @$answer{qw(ok error)} = (0, $error);
  } else {
    my $line = service_line($r->{text});
    @$answer{qw(ok node seenPeer seenLocal replyFrom bytes)} = (defined($line->{node}), @$line{qw(node peer local)}, $r->{peer}, $r->{bytes});
  }
  $r->{on_answer}->($answer);
}

sub open_socket {
  my ($r, $type) = @_;
  my $t = $r->{target};
  my $family = $t->{vip} =~ /:/ ? AF_INET6 : AF_INET;
  my $fh;
  if (!socket($fh, $family, $type | SOCK_NONBLOCK, 0)) {
    finish($r, 'socket ' . errno_name($! + 0));
    return undef;
  }
  $r->{fh} = $fh;
  push @in_flight, $r;
  return $fh;
}

sub start_tcp {
  my ($r) = @_;
  my $t = $r->{target};
  my $fh = open_socket($r, SOCK_STREAM) or return;
  if (connect($fh, sockaddr($t->{vip}, $t->{port}))) { connected($r); }
  elsif ($! + 0 == EINPROGRESS) { $r->{state} = 'connecting'; }
  else { finish($r, 'connect ' . errno_name($! + 0) . " $t->{vip}:$t->{port}"); }
}

sub connected {
  my ($r) = @_;
  my $peer = getpeername($r->{fh});
  $r->{peer} = endpoint($peer) if $peer;
  my $request = 'bytes=' . ($r->{target}{bytes} // 0) . "\n";
  my $sent = syswrite($r->{fh}, $request);
  return finish($r, 'write ' . errno_name($! + 0)) unless defined($sent) && $sent == length($request);
  $r->{state} = 'reading';
}

# Reads what the socket has: an end of stream ends the request, as does an error.
sub read_tcp {
  my ($r) = @_;
  for (;;) {
    my $n = sysread($r->{fh}, my $chunk, 65536);
    if (!defined $n) { return if $! + 0 == EAGAIN; return finish($r, 'read ' . errno_name($! + 0)); }
    return finish($r) if $n == 0;
    $r->{bytes} += $n;
    $r->{text} .= $chunk if length($r->{text}) < $KEEP;
  }
}

# A datagram, unconnected on purpose: a reply from any source is received and its source recorded.
sub start_udp {
  my ($r) = @_;
  my $t = $r->{target};
  my $fh = open_socket($r, SOCK_DGRAM) or return;
  defined(send($fh, "bytes=0\n", 0, sockaddr($t->{vip}, $t->{port}))) or return finish($r, 'send ' . errno_name($! + 0));
  $r->{state} = 'waiting';
}

sub read_udp {
  my ($r) = @_;
  my $from = recv($r->{fh}, my $message, 65536, 0);
  if (!defined $from) { return if $! + 0 == EAGAIN; return finish($r, 'recv ' . errno_name($! + 0)); }
  @$r{qw(text bytes peer)} = ($message, length($message), endpoint($from));
  finish($r);
}

sub start_request {
  my ($target, $timeout_ms, $on_answer) = @_;
  my $now = now_ms();
  my $r = { target => $target, started => $now, deadline => $now + $timeout_ms, timeout => $timeout_ms, on_answer => $on_answer, text => '', bytes => 0 };
  $target->{protocol} eq 'tcp' ? start_tcp($r) : start_udp($r);
}

# Serves the requests in flight until none is left or the clock reaches $until (ms).
sub pump {
  my ($until) = @_;
  while (@in_flight) {
    my $now = now_ms();
    $_->{deadline} <= $now and finish($_, "no answer within $_->{timeout} ms") for @in_flight;
    @in_flight = grep { !$_->{done} } @in_flight;
    last if !@in_flight || $now >= $until;
    my $wake = $until;
    $wake = $_->{deadline} < $wake ? $_->{deadline} : $wake for @in_flight;
    my ($readable, $writable) = ('', '');
    vec($_->{state} eq 'connecting' ? $writable : $readable, fileno($_->{fh}), 1) = 1 for @in_flight;
    my $ready = select($readable, $writable, undef, ($wake - $now) / 1000);
    next if $ready <= 0;
    for my $r (@in_flight) {
      next if $r->{done};
      my $fd = fileno($r->{fh});
      if ($r->{state} eq 'connecting' && vec($writable, $fd, 1)) {
        my $error = unpack('i', getsockopt($r->{fh}, SOL_SOCKET, SO_ERROR) // pack('i', $! + 0));
        my $t = $r->{target};
        if ($error) { finish($r, 'connect ' . errno_name($error) . " $t->{vip}:$t->{port}"); }
        else { connected($r); }
      } elsif (vec($readable, $fd, 1)) {
        $r->{state} eq 'reading' ? read_tcp($r) : read_udp($r);
      }
    }
    @in_flight = grep { !$_->{done} } @in_flight;
  }
}

sub targets {
  my @words = @_;
  die "usage: probe.pl PROTOCOL VIP PORT COUNT BYTES ... | --timeline EVERY_MS FOR_MS TIMEOUT_MS STARTED_FILE STOP_FILE tcp VIP PORT 1 BYTES\n"
    if @words % 5 != 0;
  my @targets;
  while (my ($protocol, $vip, $port, $count, $bytes) = splice(@words, 0, 5)) {
    die "not a target: $protocol $vip $port $count $bytes\n"
      unless $protocol =~ /^(tcp|udp)$/ && $port =~ /^\d{1,5}$/ && $count =~ /^\d+$/ && $bytes =~ /^\d+$/;
    defined(sockaddr($vip, $port)) or die "not an address: $vip\n";
    push @targets, { protocol => $protocol, vip => $vip, port => $port, count => $count, bytes => $bytes };
  }
  return @targets;
}

my @answers;
if (@ARGV && $ARGV[0] eq '--timeline') {
  my (undef, $every, $for, $timeout, $started_file, $stop_file, @rest) = @ARGV;
  die "--timeline: EVERY_MS FOR_MS TIMEOUT_MS are whole numbers\n" unless "$every $for $timeout" =~ /^\d+ \d+ \d+$/;
  my ($target) = targets(@rest);
  if ($started_file ne '-') { open(my $f, '>', $started_file) or die "$started_file: $!\n"; print $f "$$\n"; close($f); }
  my $end = now_ms() + $for;
  while (now_ms() < $end && !($stop_file ne '-' && -e $stop_file)) {
    my $at = now_ms(); # a variable of each round's own: its answer may come rounds later
    start_request($target, $timeout, sub { push @answers, { %{ $_[0] }, at => $at } });
    pump($at + $every);
    my $left = $at + $every - now_ms();
    select(undef, undef, undef, $left / 1000) if $left > 0;
  }
  pump(9**15);
  @answers = sort { $a->{at} <=> $b->{at} } @answers;
} else {
  for my $target (targets(@ARGV)) {
    for (1 .. $target->{count}) {
      start_request($target, $TIMEOUT_MS, sub { push @answers, $_[0] });
      pump(9**15);
    }
  }
}
print '[' . join(',', map { answer_json($_) } @answers) . "]\n";
