#!/usr/bin/perl
# The resident guest's agent: runs inside the microVM, reads requests from its channel (a virtio serial port the host
# writes to) and answers each by its id once its work ends, one JSON object a line both ways (src/guest/protocol.ts
# is the wire; guest-link.ts and guest-machine.ts the host's end). One process for a whole suite stage.
#
# Perl with no module, as the lab's other programs: under emulation, Node's agent cost about 7 ms of the guest's CPU a
# request and Node forks its whole process for each child (18 ms a command); a Perl fork costs a fraction of that.
# It enters a lab namespace for a short command itself (setns, then exec), as `ip netns exec` does without the mount
# namespace and /sys it sets up, which no lab command reads: another exec of `ip` saved each time.
#
#   LVSLAB_CHANNEL=/dev/vport0p1 perl agent.pl    the port, read and written through one descriptor
#   LVSLAB_CHANNEL=- perl agent.pl                standard input and output (the agent's tests on the host)
use strict;

BEGIN { require((__FILE__ =~ m{^/} ? '' : './') . (__FILE__ =~ s{[^/]*$}{}r) . '../model/inet.pl'); }

# Linux x86-64's system calls and flags.
sub SYS_SETSID ()     { 112 }
sub SYS_SETNS ()      { 308 }
sub SYS_EXIT_GROUP () { 231 }
sub CLONE_NEWNET ()   { 0x40000000 }
sub CLOCK_MONOTONIC () { 1 }
sub WNOHANG ()        { 1 }
sub O_NONBLOCK ()     { 2048 }

my $NETNS_DIR = '/run/netns';
my %SIGNAL_NAME = (
  1 => 'SIGHUP', 2 => 'SIGINT', 3 => 'SIGQUIT', 4 => 'SIGILL', 5 => 'SIGTRAP', 6 => 'SIGABRT', 7 => 'SIGBUS', 8 => 'SIGFPE',
  9 => 'SIGKILL', 10 => 'SIGUSR1', 11 => 'SIGSEGV', 12 => 'SIGUSR2', 13 => 'SIGPIPE', 14 => 'SIGALRM', 15 => 'SIGTERM',
  17 => 'SIGCHLD', 18 => 'SIGCONT', 19 => 'SIGSTOP', 20 => 'SIGTSTP', 24 => 'SIGXCPU', 25 => 'SIGXFSZ', 31 => 'SIGSYS',
);
# How long a daemon without a ready line must stay alive to count as started; the others' default wait for it.
my ($DAEMON_GRACE_MS, $DAEMON_READY_MS) = (300, 30_000);
# tcpdump is slow to start under emulation; interrupted, it drops what it has not printed: a capture is stopped once
# it has printed nothing for a while (the traffic it was for is over by then), or after a few seconds at most.
my ($CAPTURE_READY_MS, $CAPTURE_QUIET_MS, $CAPTURE_DRAIN_MS) = (15_000, 400, 5000);

my $channel = $ENV{LVSLAB_CHANNEL} // '';
if ($channel eq '') {
  print STDERR "lvslab guest agent: LVSLAB_CHANNEL names no port (it runs inside the microVM, started by lvslab)\n";
  exit 2;
}

# The commands' PATH: the caller's without node_modules/.bin (src/apply/system-path.ts says why).
{
  my @kept = grep { $_ ne '' && !m{(^|/)node_modules/\.bin/?$} } split(/:/, $ENV{PATH} // '');
  $ENV{PATH} = @kept ? join(':', @kept) : '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
}
# The commands' locale: C, whatever the caller's. Under a UTF-8 locale every program that calls setlocale (sysctl,
# perl, tcpdump) opened a dozen locale files from the host's root at start-up (over 9p): the lab's programs print
# nothing a locale changes.
delete @ENV{ grep { /^(LANG|LANGUAGE|LC_[A-Z]+)$/ } keys %ENV };
# The same zone, named: without TZ, glibc stats /etc/localtime at every localtime() (tcpdump: each packet it prints).
$ENV{TZ} //= ':/etc/localtime';

# Where each program lies in PATH, looked up once by the agent (before it forks, so that every later child knows):
# an exec by name tries PATH's directories in turn, each a failed lookup through the host's root, and the caller's
# PATH may begin with several that hold no system program (measured: six failed execs before each `ip`).
my %program_at;
sub program_path {
  my ($name) = @_;
  return $name if $name =~ m{/};
  $program_at{$name} //= do {
    my $found;
    for my $dir (split(/:/, $ENV{PATH})) {
      last if $dir !~ m{^/}; # a relative directory depends on the child's cwd: exec searches from here on
      if (-f "$dir/$name" && -x _) { $found = "$dir/$name"; last; }
    }
    $found;
  };
  return $program_at{$name} // $name;
}
# Before a fork: the programs a command execs (`ip`, and the one `ip netns exec` runs), looked up in the agent.
sub look_up_programs {
  my @entering = netns_exec(@_);
  program_path($_) for $_[0], @entering ? $entering[1] : ();
}

# ---- JSON: requests are objects of strings, numbers, booleans and arrays; answers are written ASCII only
# (json_text, src/model/inet.pl), so that a reader that cuts the stream anywhere never splits a character.

sub parse_json {
  local $_ = shift;
  my $value = json_value();
  /\G\s*\z/gc or die "text after the value\n";
  return $value;
}

sub json_value {
  /\G\s*/gc;
  if (/\G\{\s*/gc) {
    my %object;
    return \%object if /\G\}/gc;
    for (;;) {
      /\G\s*"/gc or die "a key expected\n";
      my $key = json_string_rest();
      /\G\s*:/gc or die "':' expected\n";
      $object{$key} = json_value();
      /\G\s*/gc;
      next if /\G,/gc;
      return \%object if /\G\}/gc;
      die "',' or '}' expected\n";
    }
  }
  if (/\G\[\s*/gc) {
    my @array;
    return \@array if /\G\]/gc;
    for (;;) {
      push @array, json_value();
      /\G\s*/gc;
      next if /\G,/gc;
      return \@array if /\G\]/gc;
      die "',' or ']' expected\n";
    }
  }
  return json_string_rest() if /\G"/gc;
  return $1 + 0 if /\G(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/gc;
  return 1 if /\Gtrue/gc;
  return 0 if /\Gfalse/gc;
  return undef if /\Gnull/gc;
  die "not JSON\n";
}

my %UNESCAPE = ('"' => '"', '\\' => '\\', '/' => '/', b => "\b", f => "\f", n => "\n", r => "\r", t => "\t");

# A string's text after its opening quote, as UTF-8 bytes (an argv's words are bytes).
sub json_string_rest {
  my $text = '';
  for (;;) {
    if (/\G([^"\\]+)/gc) { $text .= $1; next; }
    return $text if /\G"/gc;
    if (/\G\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})/gc) {
      $text .= utf8_bytes(0x10000 + ((hex($1) - 0xD800) << 10) + (hex($2) - 0xDC00));
      next;
    }
    if (/\G\\u([0-9a-fA-F]{4})/gc) { $text .= utf8_bytes(hex($1)); next; }
    if (/\G\\(["\\\/bfnrt])/gc) { $text .= $UNESCAPE{$1}; next; }
    die "a string ends badly\n";
  }
}

sub utf8_bytes { my $char = chr(shift); utf8::encode($char); return $char; }

# A value as JSON: undef is null, a reference to a scalar a number, any other scalar a string.
sub to_json {
  my ($value) = @_;
  return 'null' unless defined $value;
  my $kind = ref($value);
  return json_text($value) if $kind eq '';
  return 0 + $$value if $kind eq 'SCALAR';
  return '[' . join(',', map { to_json($_) } @$value) . ']' if $kind eq 'ARRAY';
  return '{' . join(',', map { json_text($_) . ':' . to_json($value->{$_}) } sort keys %$value) . '}';
}

# ---- The loop: readable descriptors, timers, and children whose end the agent waits for.

my %readers;    # fileno -> code run when it is readable
my @timers;     # [at_ms, code]
my %children;   # pid -> code run with the wait status once it has ended

sub now_ms { return clock_ms(CLOCK_MONOTONIC); }
sub after { my ($ms, $code) = @_; my $timer = [now_ms() + $ms, $code]; push @timers, $timer; return $timer; }
sub cancel { my ($timer) = @_; @timers = grep { $_ != $timer } @timers if $timer; }

# A child's end wakes the loop through a pipe of its own (a signal alone could come just before select sleeps).
pipe(my $wake_r, my $wake_w) or die "pipe: $!\n";
sub nonblocking { my ($fh) = @_; fcntl($fh, 4, (fcntl($fh, 3, 0) // 0) | O_NONBLOCK); }    # F_SETFL, F_GETFL
nonblocking($_) for $wake_r, $wake_w;
$SIG{CHLD} = sub { syswrite($wake_w, 'x'); };
$SIG{PIPE} = 'IGNORE';

sub reap {
  while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
    my $status = $?;
    my $ended = delete($children{$pid});
    $ended->($status) if $ended;
  }
}

sub run_loop {
  for (;;) {
    reap();
    my $now = now_ms();
    # A copy: cancel() rebuilds @timers, and a loop over its own elements would meet freed ones (CI run 80).
    my @due = sort { $a->[0] <=> $b->[0] } grep { $_->[0] <= $now } @timers;
    for my $timer (@due) {
      next unless grep { $_ == $timer } @timers;    # cancelled by an earlier one
      cancel($timer);
      $timer->[1]->();
    }
    my $wait = 1000;    # also a safety net: a lost wake-up costs at most a second
    for my $timer (@timers) { $wait = $timer->[0] - $now if $timer->[0] - $now < $wait; }
    $wait = 0 if $wait < 0;
    my $watched = '';
    vec($watched, fileno($wake_r), 1) = 1;
    vec($watched, $_, 1) = 1 for keys %readers;
    next if select(my $readable = $watched, undef, undef, $wait / 1000) <= 0;
    sysread($wake_r, my $drained, 4096) if vec($readable, fileno($wake_r), 1);
    for my $fd (keys %readers) {
      next unless vec($readable, $fd, 1);
      my $read = $readers{$fd};
      $read->() if $read;    # an earlier one may have stopped watching it
    }
  }
}

# ---- Children.

# Ends a child that could not become the program it was asked to run, without a thing of the agent's running on.
sub quit { my ($status) = @_; syscall(SYS_EXIT_GROUP, $status); }

# In a child: its standard streams, and the signals as a fresh program expects them.
sub become_child {
  my ($stdin, $stdout, $stderr) = @_;
  $SIG{CHLD} = $SIG{PIPE} = 'DEFAULT';
  $stdin ? open(STDIN, '<&', $stdin) : open(STDIN, '<', '/dev/null');
  $stdout ? open(STDOUT, '>&', $stdout) : open(STDOUT, '>', '/dev/null');
  open(STDERR, '>&', $stderr);
}

# In a child: exec argv, or say why not as Node does (`spawn ip ENOENT`) and end with status 127.
sub exec_or_quit {
  my (@argv) = @_;
  # `ip netns exec` would search PATH again: it gets the program's path.
  $argv[4] = program_path($argv[4]) if netns_exec(@argv);
  exec { program_path($argv[0]) } @argv;
  print STDERR "spawn $argv[0] " . errno_name($! + 0);
  quit(127);
}

# `ip netns exec NS PROGRAM ARGS...`: NS and the program's argv; nothing for any other command (`ip -all netns exec`).
sub netns_exec {
  my ($ip, $netns, $exec, $namespace, @program) = @_;
  return () unless $ip eq 'ip' && ($netns // '') eq 'netns' && ($exec // '') eq 'exec' && @program;
  return () if $namespace =~ m{/} || $namespace =~ /^-/;
  return ($namespace, @program);
}

# In a child: into the namespace's network, then the program, with iproute2's words and statuses when it fails.
sub enter_and_exec {
  my ($namespace, @program) = @_;
  if (!open(my $ns, '<', "$NETNS_DIR/$namespace")) {
    print STDERR qq(Cannot open network namespace "$namespace": $!\n);
    quit(255);
  } elsif (syscall(SYS_SETNS, fileno($ns), CLONE_NEWNET) != 0) {
    print STDERR qq(setting the network namespace "$namespace" failed: $!\n);
    quit(255);
  }
  exec { program_path($program[0]) } @program;
  print STDERR qq(exec of "$program[0]" failed: $!\n);
  quit(1);
}

sub temp_file { open(my $fh, '+>', undef) or die "no temporary file: $!\n"; return $fh; }

sub write_all {
  my ($fh, $bytes) = @_;
  for (my $done = 0; $done < length($bytes);) {
    my $n = syswrite($fh, $bytes, length($bytes) - $done, $done);
    if (!defined $n) {
      next if $! + 0 == EINTR || $! + 0 == EAGAIN;
      return 0;
    }
    $done += $n;
  }
  return 1;
}

sub read_all {
  my ($fh) = @_;
  sysseek($fh, 0, 0);
  my $text = '';
  1 while sysread($fh, $text, 65536, length($text));
  return $text;
}

sub signal_name { my ($number) = @_; return $SIGNAL_NAME{$number} // "signal $number"; }

sub make_path {
  my ($dir) = @_;
  my $path = '';
  for my $part (split(m{/}, $dir)) {
    $path .= "$part/";
    mkdir($path) unless -d $path;
  }
}

# ---- The requests.

my %captures;    # the request id that started it -> its state

# A command run to its end: its status, stdout and stderr; 127 and why when it could not start or ended by a signal.
sub run_command {
  my ($request, $reply) = @_;
  my @argv = @{ $request->{argv} };
  my ($out, $err) = (temp_file(), temp_file());
  my $in;
  if (defined $request->{input}) {
    $in = temp_file();
    write_all($in, $request->{input}) or die "cannot keep the input: $!\n";
    sysseek($in, 0, 0);
  }
  my @entering = netns_exec(@argv);
  look_up_programs(@argv);
  my $pid = fork();
  if (!defined $pid) { $reply->({ exitCode => \127, stdout => '', stderr => "spawn $argv[0] EAGAIN" }); return; }
  if ($pid == 0) {
    become_child($in, $out, $err);
    if (defined $request->{cwd} && !chdir($request->{cwd})) { print STDERR "spawn $argv[0] ENOENT"; quit(127); }
    enter_and_exec(@entering) if @entering;
    exec_or_quit(@argv);
  }
  my $timedOut = 0;
  my $timer = defined($request->{timeout}) ? after($request->{timeout}, sub { $timedOut = 1; kill('TERM', $pid); }) : undef;
  $children{$pid} = sub {
    my ($status) = @_;
    cancel($timer);
    my ($stdout, $stderr) = (read_all($out), read_all($err));
    if ($status & 127) {
      my $signal = signal_name($status & 127);
      my $how = $timedOut && $signal eq 'SIGTERM' ? "timed out after $request->{timeout} milliseconds" : "was killed with $signal";
      return $reply->({ exitCode => \127, stdout => $stdout, stderr => "${stderr}Command $how: @argv" });
    }
    $reply->({ exitCode => \($status >> 8), stdout => $stdout, stderr => $stderr });
  };
}

# A daemon in a session of its own: answered with its pid once it said its ready line (or lived through a grace
# period); an error with its own words when it ends first or never says it.
sub start_daemon {
  my ($request, $reply, $fail) = @_;
  my @argv = @{ $request->{argv} };
  my ($log, $ready) = ($request->{log}, $request->{ready});
  my $stderr;
  if (defined $log) {
    make_path($log =~ s{/[^/]*$}{}r);
    open($stderr, '>>', $log) or die "cannot open $log: $!\n";
  } else {
    $stderr = temp_file();
  }
  my ($said_r, $said_w);
  if (defined $ready) { pipe($said_r, $said_w) or die "pipe: $!\n"; }
  look_up_programs(@argv);
  my $pid = fork() // die "fork: $!\n";
  if ($pid == 0) {
    syscall(SYS_SETSID);
    become_child(undef, $said_w // (defined($log) ? $stderr : undef), $stderr);
    exec_or_quit(@argv);
  }
  close($said_w) if $said_w;
  my ($settled, $said, $timer) = (0, '');
  my $why = sub {
    my $text = defined($log) ? do { open(my $fh, '<', $log); local $/; <$fh> // '' } : read_all($stderr);
    $text =~ s/^\s+|\s+$//g;
    return $text ne '' ? $text : $_[0] // 'no error output';
  };
  my $settle = sub {
    my ($error) = @_;
    return if $settled++;
    cancel($timer);
    if ($said_r) { delete $readers{ fileno($said_r) }; close($said_r); }
    close($stderr);
    $error ? $fail->($error) : $reply->({ pid => \$pid });
  };
  $children{$pid} = sub {
    my ($status) = @_;
    return if $settled;
    my $how = $status & 127 ? 'by ' . signal_name($status & 127) : 'with status ' . ($status >> 8);
    $settle->('exited at start-up ' . $how . ': ' . $why->());
  };
  if (defined $ready) {
    my $ms = $request->{readyWithinMs} // $DAEMON_READY_MS;
    $readers{ fileno($said_r) } = sub {
      my $got = sysread($said_r, $said, 4096, length($said));
      if (!$got) { delete $readers{ fileno($said_r) }; return; }
      $settle->() if grep { $_ eq $ready } split(/\n/, $said);
    };
    $timer = after($ms, sub { kill('KILL', $pid); $settle->('was not ready: ' . $why->(qq(it did not say "$ready" within $ms ms))); });
  } else {
    $timer = after($DAEMON_GRACE_MS, sub { $settle->(); });
  }
}

# A capture (tcpdump): answered once it says it is listening; what it prints is kept until it is stopped.
sub start_capture {
  my ($request, $reply, $fail, $id) = @_;
  my @argv = @{ $request->{argv} };
  pipe(my $out_r, my $out_w) or die "pipe: $!\n";
  pipe(my $err_r, my $err_w) or die "pipe: $!\n";
  look_up_programs(@argv);
  my $pid = fork() // die "fork: $!\n";
  if ($pid == 0) {
    become_child(undef, $out_w, $err_w);
    exec_or_quit(@argv);
  }
  close($_) for $out_w, $err_w;
  my $capture = { pid => $pid, output => '', printedAt => now_ms(), streams => 2 };
  my ($listening, $stderr, $timer) = (0, '');
  my $ended = sub {
    my ($fh) = @_;
    delete $readers{ fileno($fh) };
    close($fh);
    $capture->{streams}--;
    capture_over($capture);
  };
  $readers{ fileno($out_r) } = sub {
    my $got = sysread($out_r, $capture->{output}, 65536, length($capture->{output}));
    return $ended->($out_r) unless $got;
    $capture->{printedAt} = now_ms();
  };
  $readers{ fileno($err_r) } = sub {
    return $ended->($err_r) unless sysread($err_r, $stderr, 4096, length($stderr));
    return if $listening || $stderr !~ /listening on/;
    $listening = 1;
    cancel($timer);
    $captures{$id} = $capture;
    $reply->({ capture => $id });
  };
  $timer = after($CAPTURE_READY_MS, sub {
    kill('KILL', $pid);
    $fail->("@argv did not start listening within $CAPTURE_READY_MS ms: " . ($stderr =~ s/^\s+|\s+$//gr));
  });
  $children{$pid} = sub {
    my ($status) = @_;
    $capture->{exited} = 1;
    if (!$listening) {
      $listening = 1;    # nothing more to say
      cancel($timer);
      my $how = $status & 127 ? signal_name($status & 127) : $status >> 8;
      $fail->("@argv exited with status $how: " . ($stderr =~ s/^\s+|\s+$//gr));
    }
    capture_over($capture);
  };
}

# Stops a capture once it has been quiet a while (or waited long enough), then hands its output to `done`.
sub stop_capture {
  my ($capture, $done, $drainedBy) = @_;
  $drainedBy //= now_ms() + $CAPTURE_DRAIN_MS;
  if (now_ms() - $capture->{printedAt} < $CAPTURE_QUIET_MS && now_ms() < $drainedBy) {
    after(50, sub { stop_capture($capture, $done, $drainedBy); });
    return;
  }
  $capture->{done} = $done;
  kill('INT', $capture->{pid});
  capture_over($capture);
}

sub capture_over {
  my ($capture) = @_;
  return unless $capture->{done} && $capture->{exited} && $capture->{streams} == 0;
  (delete $capture->{done})->($capture->{output});
}

sub proc_pids { opendir(my $dh, '/proc') or return (); return grep { /^\d+$/ } readdir($dh); }

# A process's program (comm) while it runs one: none once it exited, a zombie too (as LinuxHost.programOf).
sub comm_of {
  my ($pid) = @_;
  open(my $fh, '<', "/proc/$pid/stat") or return undef;
  my $stat = <$fh> // '';
  return undef unless $stat =~ /^\d+ \((.*)\) (\S)/s && $2 ne 'Z';
  return $1;
}

sub files_under {
  my ($root, $below) = @_;
  opendir(my $dh, $below eq '' ? $root : "$root/$below") or return ();
  my @found;
  for my $entry (grep { $_ ne '.' && $_ ne '..' } readdir($dh)) {
    my $path = $below eq '' ? $entry : "$below/$entry";
    push @found, $path;
    push @found, files_under($root, $path) if -d "$root/$path" && !-l "$root/$path";
  }
  return @found;
}

my %ANSWER = (
  run     => \&run_command,
  start   => \&start_daemon,
  capture => \&start_capture,
  'capture-stop' => sub {
    my ($request, $reply) = @_;
    my $capture = delete($captures{ $request->{capture} }) or die "no capture $request->{capture} runs\n";
    stop_capture($capture, sub { $reply->({ output => $_[0] }); });
  },
  namespaces => sub {
    my ($request, $reply) = @_;
    opendir(my $dh, $NETNS_DIR) or return $reply->([]);
    $reply->([ sort grep { $_ ne '.' && $_ ne '..' } readdir($dh) ]);
  },
  'pids-in' => sub {
    my ($request, $reply) = @_;
    my %inodes = map { my @st = stat("$NETNS_DIR/$_"); @st ? ("net:[$st[1]]" => 1) : () } @{ $request->{namespaces} };
    return $reply->([]) unless %inodes;
    $reply->([ map { \$_ } sort { $a <=> $b } grep { my $ns = readlink("/proc/$_/ns/net"); defined($ns) && $inodes{$ns} } proc_pids() ]);
  },
  kill => sub {
    my ($request, $reply) = @_;
    kill(($request->{signal} // 'SIGKILL') =~ s/^SIG//r, $request->{pid});
    $reply->(undef);
  },
  'program-of' => sub { my ($request, $reply) = @_; $reply->(comm_of($request->{pid})); },
  'modules-loaded' => sub { my ($request, $reply) = @_; $reply->([ grep { -e "/sys/module/$_" } @{ $request->{names} } ]); },
  programs => sub { my ($request, $reply) = @_; $reply->([ grep { defined } map { comm_of($_) } proc_pids() ]); },
  'files-under' => sub {
    my ($request, $reply) = @_;
    my @found = files_under($request->{dir}, '');
    $reply->([ sort @found ]);
  },
  # A client left (sent by the broker, never answered): the captures it started are stopped.
  release => sub {
    my ($request) = @_;
    for my $id (grep { index($_, "$request->{owner}:") == 0 } keys %captures) { stop_capture(delete($captures{$id}), sub { }); }
  },
  # Answered, then the agent ends: the guest script powers off.
  shutdown => sub { my ($request, $reply) = @_; $reply->(undef); exit(0); },
);

# ---- The channel.

my ($input, $output);
if ($channel eq '-') {
  ($input, $output) = (\*STDIN, \*STDOUT);
} else {
  open(my $port, '+<', $channel) or die "lvslab guest agent: cannot open $channel: $!\n";
  ($input, $output) = ($port, $port);
}

sub send_line { write_all($output, "$_[0]\n") or exit(0); }    # nobody reads any more

sub answer {
  my ($line) = @_;
  my $request = eval { parse_json($line) };
  if (ref($request) ne 'HASH' || !defined($request->{id})) {
    print STDERR 'lvslab guest agent: not a request: ' . substr($line, 0, 200) . "\n";
    return;
  }
  my ($id, $op) = ($request->{id}, $request->{op} // '');
  my $answered = 0;
  my $reply = sub { send_line('{"id":' . json_text($id) . ',"ok":true,"value":' . to_json($_[0]) . '}') unless $answered++; };
  my $fail = sub { send_line('{"id":' . json_text($id) . ',"ok":false,"error":' . json_text($_[0]) . '}') unless $answered++; };
  my $work = $ANSWER{$op};
  return $fail->("no such request: $op") unless $work;
  eval { $work->($request, $reply, $fail, $id); 1 } or $fail->($@ =~ s/\s+$//r);
}

my $pending = '';
sub read_channel {
  my $got = sysread($input, $pending, 65536, length($pending));
  return if !defined($got) && ($! + 0 == EINTR || $! + 0 == EAGAIN);
  if (!$got) {
    exit(0) if $channel eq '-';
    # A port whose host end is not connected yet reads 0 bytes: it is read again shortly.
    delete $readers{ fileno($input) };
    after(20, sub { $readers{ fileno($input) } = \&read_channel; });
    return;
  }
  while ($pending =~ s/^([^\n]*)\n//) { my $line = $1; answer($line) if $line =~ /\S/; }
}

$readers{ fileno($input) } = \&read_channel;
send_line('{"id":"ready","ok":true,"value":"lvslab guest agent"}');
run_loop();
