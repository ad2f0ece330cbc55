#!/usr/bin/perl
# The microVM agent's spawner (src/apply/spawner.ts is its other end): one resident process that starts the agent's
# short commands. Node forks its whole process for each child (libuv has no vfork on Linux): 18 ms of emulated CPU a
# command; a line to this process and its fork cost 8. No module, as the lab's other Perl programs.
#
#   spawner.pl DIR      reads requests on stdin, one a line, tab-separated:
#     ID TIMEOUT_MS CWD INPUT ARGV...   (TIMEOUT_MS 0 for none; CWD and each word of ARGV in hex, CWD - for none;
#                                        INPUT 1 when DIR/ID.in is the command's stdin, else 0 for /dev/null)
#   and answers each once it has ended: `ID exit CODE`, or `ID signal NUMBER TIMED_OUT` (1 when it was stopped at
#   its timeout). The command's stdout and stderr are DIR/ID.out and DIR/ID.err. It ends with its stdin, once
#   every command it started has ended.
use strict;

my $dir = shift(@ARGV) // die "usage: spawner.pl DIR\n";
$| = 1;
# fcntl's numbers on Linux: F_GETFL, F_SETFL, O_NONBLOCK.
sub nonblocking { my ($fh) = @_; fcntl($fh, 4, (fcntl($fh, 3, 0) // 0) | 2048); }

# A child's end wakes the loop through a pipe of its own (a signal alone could come just before select sleeps).
pipe(my $wake_r, my $wake_w) or die "pipe: $!\n";
nonblocking($wake_r);
nonblocking($wake_w);
$SIG{CHLD} = sub { syswrite($wake_w, 'x'); };

my %running;    # pid -> { id, deadline (ms, 0 for none), timed_out }

sub now_ms {
  my $ts = "\0" x 16;
  syscall(228, 1, $ts); # clock_gettime(CLOCK_MONOTONIC)
  my ($s, $ns) = unpack('q q', $ts);
  return $s * 1000 + int($ns / 1_000_000);
}

sub start {
  my ($line) = @_;
  my ($id, $timeout, $cwd, $input, @words) = split(/\t/, $line);
  my @argv = map { pack('H*', $_) } @words;
  if (!defined($input) || !@argv) { print STDERR "spawner: not a request: $line\n"; return; }
  my $pid = fork();
  if (!defined $pid) {
    open(my $err, '>', "$dir/$id.err");
    print $err "spawn $argv[0] EAGAIN (fork: $!)";
    close($err);
    open(my $out, '>', "$dir/$id.out");
    close($out);
    print "$id\texit\t127\n";
    return;
  }
  if ($pid == 0) {
    $SIG{CHLD} = 'DEFAULT';
    close($wake_r);
    close($wake_w);
    open(STDOUT, '>', "$dir/$id.out");
    open(STDERR, '>', "$dir/$id.err");
    open(STDIN, '<', $input ? "$dir/$id.in" : '/dev/null');
    # As Node says a command it could not start: `spawn ip ENOENT`, status 127.
    if ($cwd ne '-' && !chdir(pack('H*', $cwd))) { print STDERR "spawn $argv[0] ENOENT"; syscall(231, 127); }
    exec { $argv[0] } @argv;
    my $errno = $! + 0;
    print STDERR "spawn $argv[0] " . ({ 2 => 'ENOENT', 8 => 'ENOEXEC', 13 => 'EACCES' }->{$errno} // "errno $errno");
    syscall(231, 127); # exit_group: nothing of this copy of the spawner runs on
  }
  $running{$pid} = { id => $id, deadline => $timeout > 0 ? now_ms() + $timeout : 0, timed_out => 0 };
}

sub reap {
  while ((my $pid = waitpid(-1, 1)) > 0) { # 1 = WNOHANG
    my $status = $?;
    my $job = delete($running{$pid}) or next;
    if ($status & 127) { print "$job->{id}\tsignal\t" . ($status & 127) . "\t$job->{timed_out}\n"; }
    else { print "$job->{id}\texit\t" . ($status >> 8) . "\n"; }
  }
}

my ($buffer, $ended) = ('', 0);
for (;;) {
  reap();
  my $now = now_ms();
  my $wake = $now + 1000; # also a safety net: a lost wake-up costs at most a second
  for my $pid (keys %running) {
    my $job = $running{$pid};
    next unless $job->{deadline};
    if ($job->{deadline} <= $now && !$job->{timed_out}) { $job->{timed_out} = 1; kill('TERM', $pid); }
    $wake = $job->{deadline} if !$job->{timed_out} && $job->{deadline} < $wake;
  }
  last if $ended && !%running;
  my $readable = '';
  vec($readable, fileno(STDIN), 1) = 1 unless $ended;
  vec($readable, fileno($wake_r), 1) = 1;
  my $ready = select($readable, undef, undef, ($wake - $now) / 1000);
  next if $ready <= 0;
  sysread($wake_r, my $drained, 4096) if vec($readable, fileno($wake_r), 1);
  next unless vec($readable, fileno(STDIN), 1);
  my $got = sysread(STDIN, $buffer, 65536, length($buffer));
  $ended = 1 if !$got;
  start($1) while $buffer =~ s/^([^\n]*)\n//;
}
