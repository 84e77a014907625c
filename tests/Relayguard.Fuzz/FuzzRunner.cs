using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Relayguard.Fuzz;

/// <summary>
/// Starts a gateway on loopback and drives the generated sessions against it. The checks: the process survives and
/// passes its health check, and every session ends within the server's timeout plus a margin. No message is accepted
/// in a session without a successful AUTH, and every relayed message is one the client saw accepted after AUTH.
/// The resident set after the run is within the allowed growth of the one after the warm-up.
/// </summary>
public static partial class FuzzRunner
{
    private const int MaxReplyBytes = 1024 * 1024;

    public static async Task<FuzzReport> RunAsync(FuzzOptions options, TextWriter progress)
    {
        await using var gateway = await GatewayProcess.StartAsync(options.ServerTimeout);
        var violations = new ConcurrentQueue<string>();
        var deadline = options.ServerTimeout * 2 + options.HangMargin;

        // The warm-up uses its own seed so that the measured sessions depend only on options.Seed.
        var warmUp = new SessionGenerator(unchecked(options.Seed * 7919 + 1));
        var warmUpOutcomes = await RunAllAsync(gateway, Enumerable.Range(0, options.WarmUpSessions).Select(warmUp.NextValid), options.Concurrency, deadline, violations);
        var rssBefore = gateway.ResidentBytes();
        progress.WriteLine($"warm-up: {warmUpOutcomes.Count} sessions; gateway RSS {rssBefore / 1024 / 1024} MiB");

        var peak = rssBefore;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested && !gateway.HasExited)
            {
                peak = Math.Max(peak, gateway.ResidentBytes());
                await Task.Delay(250, CancellationToken.None);
            }
        });

        var generator = new SessionGenerator(options.Seed);
        var sessions = Enumerable.Range(0, options.Sessions).Select(generator.Next).ToList();
        var clock = Stopwatch.StartNew();
        var outcomes = await RunAllAsync(gateway, sessions, options.Concurrency, deadline, violations, progress);
        clock.Stop();
        await sampling.CancelAsync();
        await sampler;

        // Give the gateway a moment to publish the outbox and let go of session buffers before the last measurement.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var rssAfter = gateway.HasExited ? 0 : gateway.ResidentBytes();

        if (gateway.HasExited)
        {
            violations.Enqueue($"the gateway exited with code {gateway.ExitCode}");
        }
        else if (!await gateway.IsLiveAsync())
        {
            violations.Enqueue("the gateway does not answer /health/live");
        }

        var all = warmUpOutcomes.Concat(outcomes).ToList();
        CheckRelayed(gateway, all, violations);
        if (rssAfter - rssBefore > options.MaxRssGrowthBytes)
        {
            violations.Enqueue($"the gateway's RSS grew by {(rssAfter - rssBefore) / 1024 / 1024} MiB, more than {options.MaxRssGrowthBytes / 1024 / 1024} MiB");
        }

        return new FuzzReport
        {
            Seed = options.Seed,
            Sessions = outcomes.Count,
            SessionsByKind = outcomes.GroupBy(o => o.Session.Kind).ToDictionary(g => g.Key, g => g.Count()),
            Duration = clock.Elapsed,
            AcceptedAfterAuth = outcomes.Sum(o => o.AcceptedAfterAuth.Count),
            RelayedFiles = Directory.Exists(gateway.PickupDirectory) ? Directory.EnumerateFiles(gateway.PickupDirectory, "*.eml").Count() : 0,
            Hangs = outcomes.Count(o => o.Hung),
            LongestSession = outcomes.Count == 0 ? TimeSpan.Zero : outcomes.Max(o => o.Duration),
            RssAfterWarmUp = rssBefore,
            RssPeak = peak,
            RssAfterRun = rssAfter,
            Violations = [.. violations],
        };
    }

    private static void CheckRelayed(GatewayProcess gateway, List<SessionOutcome> outcomes, ConcurrentQueue<string> violations)
    {
        var accepted = outcomes.SelectMany(o => o.AcceptedAfterAuth).ToHashSet(StringComparer.Ordinal);
        var relayed = Directory.Exists(gateway.PickupDirectory)
            ? Directory.EnumerateFiles(gateway.PickupDirectory, "*.eml").Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.Ordinal)
            : [];
        foreach (var id in relayed.Where(id => !accepted.Contains(id!)))
        {
            violations.Enqueue($"message {id} was relayed, but no client saw it accepted after a successful AUTH");
        }

        foreach (var id in accepted.Where(id => !relayed.Contains(id)))
        {
            violations.Enqueue($"message {id} was accepted, but is not in the pickup folder");
        }
    }

    private static async Task<List<SessionOutcome>> RunAllAsync(GatewayProcess gateway, IEnumerable<FuzzSession> sessions, int concurrency, TimeSpan deadline, ConcurrentQueue<string> violations, TextWriter? progress = null)
    {
        using var slots = new SemaphoreSlim(concurrency);
        var tasks = new List<Task<SessionOutcome?>>();
        var done = 0;
        foreach (var session in sessions)
        {
            await slots.WaitAsync();
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    var outcome = await RunSessionAsync(gateway.SmtpEndPoint, session, deadline);
                    if (outcome.Hung)
                    {
                        violations.Enqueue($"session {session.Number} ({session.Kind}) did not end within {deadline.TotalSeconds:0} s");
                    }

                    foreach (var id in outcome.AcceptedWithoutAuth)
                    {
                        violations.Enqueue($"session {session.Number} ({session.Kind}): message {id} was accepted without a successful AUTH");
                    }

                    var finished = Interlocked.Increment(ref done);
                    if (progress is not null && finished % 1000 == 0)
                    {
                        progress.WriteLine($"{finished} sessions done");
                    }

                    return outcome;
                }
                catch (SocketException ex)
                {
                    violations.Enqueue($"session {session.Number} ({session.Kind}) could not connect: {ex.Message}");
                    return null;
                }
                finally
                {
                    slots.Release();
                }
            }));
        }

        var outcomes = await Task.WhenAll(tasks);
        return outcomes.OfType<SessionOutcome>().ToList();
    }

    private static async Task<SessionOutcome> RunSessionAsync(IPEndPoint endPoint, FuzzSession session, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(deadline);
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(endPoint, timeout.Token);
        var stream = tcp.GetStream();
        var reader = ReadAllAsync(stream, timeout.Token);
        try
        {
            foreach (var chunk in session.Chunks)
            {
                await stream.WriteAsync(chunk, timeout.Token);
                if (session.DelayMilliseconds > 0)
                {
                    await Task.Delay(session.DelayMilliseconds, timeout.Token);
                }
            }

            if (!session.Stall)
            {
                tcp.Client.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The server closed the connection first, as it does after QUIT, 421 or a failed TLS handshake.
        }
        catch (OperationCanceledException)
        {
            // Still sending at the deadline: the reader reports the hang.
        }

        var (replies, hung) = await reader;
        return Parse(session, clock.Elapsed, hung, replies);
    }

    private static async Task<(string Replies, bool Hung)> ReadAllAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        using var kept = new MemoryStream();
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    return (Encoding.UTF8.GetString(kept.ToArray()), false);
                }

                if (kept.Length < MaxReplyBytes)
                {
                    kept.Write(buffer, 0, read);
                }
            }
        }
        catch (OperationCanceledException)
        {
            return (Encoding.UTF8.GetString(kept.ToArray()), true);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            return (Encoding.UTF8.GetString(kept.ToArray()), false);
        }
    }

    private static SessionOutcome Parse(FuzzSession session, TimeSpan duration, bool hung, string replies)
    {
        var authenticated = false;
        var afterAuth = new List<string>();
        var withoutAuth = new List<string>();
        string? first = null;
        foreach (var line in replies.Split("\r\n"))
        {
            first ??= line.Length >= 3 ? line[..3] : null;
            if (line.StartsWith("235 ", StringComparison.Ordinal))
            {
                authenticated = true;
            }

            var match = AcceptedPattern().Match(line);
            if (match.Success)
            {
                (authenticated ? afterAuth : withoutAuth).Add(match.Groups[1].Value);
            }
        }

        return new SessionOutcome(session, duration, hung, authenticated, afterAuth, withoutAuth, first);
    }

    [GeneratedRegex(@"^250 2\.0\.0 Message accepted as (\S+)$")]
    private static partial Regex AcceptedPattern();
}
