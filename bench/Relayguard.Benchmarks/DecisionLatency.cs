using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Relayguard.Gateway.Events;
using Relayguard.ServiceDefaults;

namespace Relayguard.Benchmarks;

/// <summary>
/// Decision latency: from the gateway writing the event that crosses CA2's threshold (the fifth spam-rejected
/// message of an address within the window) to the first MAIL FROM from that address that the gateway refuses.
/// Every decision has its own client address in 127.0.0.0/8, which the SMTP client binds to. The first four events
/// of every address are written and applied before the timing starts. Untimed decisions run first, in at least two rounds
/// of 1,000 (or <c>--warmup</c>), until a round compiles fewer than 10 methods, so the timed ones measure compiled code, as in a
/// gateway that has been up for a while.
/// </summary>
public static class DecisionLatency
{
    public static async Task<int> RunAsync(BenchArguments args)
    {
        var directory = Directory.CreateTempSubdirectory("relayguard-bench-decision-").FullName;
        try
        {
            return await RunInAsync(args, directory);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<int> RunInAsync(BenchArguments args, string directory)
    {
        var transport = args.String("transport", "memory");
        var decisions = args.Int("decisions", 1000);
        var warmup = args.Int("warmup", 1000);
        var smtpPort = args.Int("smtp-port", 2610);
        var settings = new Dictionary<string, string?>
        {
            ["Smtp:Listen"] = $"127.0.0.1:{smtpPort}",
            ["Operations:Listen"] = $"127.0.0.1:{args.Int("ops-port", 2611)}",
            ["Data:Directory"] = directory,
            ["Smtp:Trusted:0"] = "127.0.0.0/8",
            ["Rules:RL1:MessagesPerHour"] = "0",
            ["Rules:RL1:RecipientsPerHour"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",

            // The client polls with MAIL FROM and RSET on one session, more commands than the default limit allows.
            ["Limits:CommandsPerSession"] = "100000000",
        };
        await using var app = BenchHost.Build(transport, args.String("rabbitmq", string.Empty), settings);
        await app.StartAsync();
        var outbox = app.Services.GetRequiredService<EventOutbox>();
        var stages = new DecisionStages();
        app.Services.GetRequiredService<MassTransit.IBus>().ConnectConsumeObserver(stages);
        app.Services.GetRequiredService<MassTransit.IBus>().ConnectPublishObserver(stages);
        var database = app.Services.GetRequiredService<SqliteDatabase>();

        // Tiered compilation recompiles the hot methods of the path in the background for thousands of decisions,
        // so the warm-up goes on in rounds until one leaves the JIT compiler nearly idle.
        var warmed = await JitWarmUp.RunAsync(warmup, maxRounds: 20, "decisions", async done =>
        {
            await PrepareAsync(outbox, database, done, warmup);
            await DecideAsync(stages, outbox, smtpPort, done, warmup);
        });

        await PrepareAsync(outbox, database, warmed, decisions);
        Console.Error.WriteLine($"decision: {warmed} decisions untimed, timing {decisions}");
        var compiledAtStart = System.Runtime.JitInfo.GetCompiledMethodCount();
        var (pauseAtStart, collectionsAtStart) = (GC.GetTotalPauseDuration(), GC.CollectionCount(0));
        var timed = await DecideAsync(stages, outbox, smtpPort, warmed, decisions);
        Console.Error.WriteLine($"decision: {System.Runtime.JitInfo.GetCompiledMethodCount() - compiledAtStart} methods compiled while timing");
        Console.Error.WriteLine($"decision: {GC.CollectionCount(0) - collectionsAtStart} collections, paused {(GC.GetTotalPauseDuration() - pauseAtStart).TotalMilliseconds:0.0} ms in all while timing");
        Console.WriteLine($"transport={transport} warmup={warmed} decisions={decisions} refused={timed.Samples.Count} not-refused-within-10s={timed.Failures} mail-commands={timed.MailCommands}");
        Console.WriteLine($"decision latency (ms): {Percentiles.Summary([.. timed.Samples], "ms", "0.00")}");
        Console.WriteLine($"  event committed to the outbox (ms): {Percentiles.Summary([.. timed.Written], "ms", "0.00")}");
        Console.WriteLine($"  the outbox published it (ms):       {Percentiles.Summary([.. timed.Published], "ms", "0.00")}");
        Console.WriteLine($"  CA2 started consuming it (ms):      {Percentiles.Summary([.. timed.ConsumeStarted], "ms", "0.00")}");
        Console.WriteLine($"  CA2 published the block (ms):       {Percentiles.Summary([.. timed.BlockPublished], "ms", "0.00")}");
        Console.WriteLine($"  CA2 finished consuming it (ms):     {Percentiles.Summary([.. timed.Counted], "ms", "0.00")}");
        Console.WriteLine($"  block applied in the cache (ms):    {Percentiles.Summary([.. timed.Applied], "ms", "0.00")}");
        await app.StopAsync();
        return timed.Failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// Writes the four events below the threshold for each of <paramref name="count"/> addresses from
    /// <paramref name="first"/>, and waits until CA2 has stored them, so no decision waits behind them in a queue.
    /// </summary>
    private static async Task PrepareAsync(EventOutbox outbox, SqliteDatabase database, int first, int count)
    {
        for (var i = first; i < first + count; i++)
        {
            for (var k = 0; k < 4; k++)
            {
                var message = BenchEvents.SpamRejected(ClientAddress(i).ToString());
                await outbox.EnqueueAsync(message, message.EventId);
            }
        }

        // Every address of the earlier rounds has its four events and its crossing one.
        await WaitForRejectsAsync(database, (first * 5) + (count * 4), TimeSpan.FromMinutes(5));
    }

    /// <summary>
    /// Makes one decision for each of <paramref name="count"/> addresses from <paramref name="first"/>, and returns the
    /// times of each step, in milliseconds. The client runs on a thread of its own with blocking sockets, as a client in
    /// another process would: on the thread pool, its continuous polling queued ahead of the gateway's own work.
    /// </summary>
    private static Task<Timings> DecideAsync(DecisionStages stages, EventOutbox outbox, int smtpPort, int first, int count) =>
        Task.Factory.StartNew(() => Decide(stages, outbox, smtpPort, first, count), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static Timings Decide(DecisionStages stages, EventOutbox outbox, int smtpPort, int first, int count)
    {
        var timings = new Timings();
        for (var i = first; i < first + count; i++)
        {
            var address = ClientAddress(i);
            using var client = SmtpLineClient.Connect(address, smtpPort);
            var crossing = BenchEvents.SpamRejected(address.ToString());
            var started = Stopwatch.GetTimestamp();
            outbox.EnqueueAsync(crossing, crossing.EventId).GetAwaiter().GetResult();
            timings.Written.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var refused = false;
            while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10))
            {
                timings.MailCommands++;
                var reply = client.Command("MAIL FROM:<sender@bench.test>");
                if (reply.StartsWith("550", StringComparison.Ordinal))
                {
                    timings.Samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    refused = true;
                    break;
                }

                client.Command("RSET");
            }

            timings.Failures += refused ? 0 : 1;
            if (stages.TryPublished(crossing.EventId, out var publishedAt) && stages.TryStarted(crossing.EventId, out var startedAt)
                && stages.TryCounted(crossing.EventId, out var countedAt) && stages.TryBlockPublished(address.ToString(), out var blockPublishedAt)
                && stages.TryApplied(address.ToString(), out var appliedAt))
            {
                timings.Published.Add(Stopwatch.GetElapsedTime(started, publishedAt).TotalMilliseconds);
                timings.ConsumeStarted.Add(Stopwatch.GetElapsedTime(started, startedAt).TotalMilliseconds);
                timings.Counted.Add(Stopwatch.GetElapsedTime(started, countedAt).TotalMilliseconds);
                timings.BlockPublished.Add(Stopwatch.GetElapsedTime(started, blockPublishedAt).TotalMilliseconds);
                timings.Applied.Add(Stopwatch.GetElapsedTime(started, appliedAt).TotalMilliseconds);
            }

            client.Quit();
        }

        return timings;
    }

    /// <summary>The decision latencies, the times of each step after the crossing event was written, and the failures.</summary>
    private sealed class Timings
    {
        public List<double> Samples { get; } = [];

        public List<double> Written { get; } = [];

        public List<double> Published { get; } = [];

        public List<double> ConsumeStarted { get; } = [];

        public List<double> Counted { get; } = [];

        public List<double> BlockPublished { get; } = [];

        public List<double> Applied { get; } = [];

        public int Failures { get; set; }

        public long MailCommands { get; set; }
    }

    /// <summary>Returns a distinct loopback address for each decision: 127.1.0.1, 127.1.0.2, and so on.</summary>
    private static IPAddress ClientAddress(int i) => new([127, 1, (byte)(i / 250), (byte)(i % 250 + 1)]);

    private static async Task WaitForRejectsAsync(SqliteDatabase database, int count, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using (var connection = database.Open())
            {
                var stored = (long)(SqliteDatabase.Scalar(connection, "SELECT COUNT(*) FROM ca2_rejects;") ?? 0L);
                if (stored >= count)
                {
                    return;
                }

                if (deadline.Elapsed > timeout)
                {
                    throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"CA2 stored {stored} of {count} events within {timeout}."));
                }
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A minimal blocking SMTP client that reads one reply per command, bound to a chosen local address.</summary>
    private sealed class SmtpLineClient : IDisposable
    {
        private readonly Socket _socket;
        private readonly StreamReader _reader;
        private readonly NetworkStream _stream;

        private SmtpLineClient(Socket socket)
        {
            _socket = socket;
            _stream = new NetworkStream(socket, ownsSocket: true);
            _reader = new StreamReader(_stream, Encoding.ASCII);
        }

        public static SmtpLineClient Connect(IPAddress local, int port)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Bind(new IPEndPoint(local, 0));
            socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
            var client = new SmtpLineClient(socket);
            client.ReadReply();
            client.Command("EHLO bench.test");
            return client;
        }

        public string Command(string command)
        {
            _stream.Write(Encoding.ASCII.GetBytes(command + "\r\n"));
            return ReadReply();
        }

        /// <summary>Ends the session; the gateway may already have closed it after refusing MAIL FROM.</summary>
        public void Quit()
        {
            try
            {
                Command("QUIT");
            }
            catch (IOException)
            {
                // Closed by the gateway.
            }
        }

        public void Dispose()
        {
            _reader.Dispose();
            _socket.Dispose();
        }

        private string ReadReply()
        {
            while (true)
            {
                var line = _reader.ReadLine() ?? throw new IOException("The gateway closed the connection.");
                if (line.Length < 4 || line[3] != '-')
                {
                    return line;
                }
            }
        }
    }
}
