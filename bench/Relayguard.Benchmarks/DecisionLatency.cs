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
/// of every address are written and applied before the timing starts.
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

        Console.Error.WriteLine($"decision: writing {decisions * 4} events below the threshold");
        for (var i = 0; i < decisions; i++)
        {
            for (var k = 0; k < 4; k++)
            {
                var message = BenchEvents.SpamRejected(ClientAddress(i).ToString());
                await outbox.EnqueueAsync(message, message.EventId);
            }
        }

        await WaitForRejectsAsync(database, decisions * 4, TimeSpan.FromMinutes(5));
        Console.Error.WriteLine("decision: timing the crossing events");
        var samples = new List<double>(decisions);
        var written = new List<double>(decisions);
        var published = new List<double>(decisions);
        var consumeStarted = new List<double>(decisions);
        var counted = new List<double>(decisions);
        var blockPublished = new List<double>(decisions);
        var applied = new List<double>(decisions);
        var failures = 0;
        var mailCommands = 0L;
        for (var i = 0; i < decisions; i++)
        {
            var address = ClientAddress(i);
            using var client = await SmtpLineClient.ConnectAsync(address, smtpPort);
            var crossing = BenchEvents.SpamRejected(address.ToString());
            var started = Stopwatch.GetTimestamp();
            await outbox.EnqueueAsync(crossing, crossing.EventId);
            written.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var refused = false;
            while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10))
            {
                mailCommands++;
                var reply = await client.CommandAsync("MAIL FROM:<sender@bench.test>");
                if (reply.StartsWith("550", StringComparison.Ordinal))
                {
                    samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    refused = true;
                    break;
                }

                await client.CommandAsync("RSET");
            }

            failures += refused ? 0 : 1;
            if (stages.TryPublished(crossing.EventId, out var publishedAt) && stages.TryStarted(crossing.EventId, out var startedAt)
                && stages.TryCounted(crossing.EventId, out var countedAt) && stages.TryBlockPublished(address.ToString(), out var blockPublishedAt)
                && stages.TryApplied(address.ToString(), out var appliedAt))
            {
                published.Add(Stopwatch.GetElapsedTime(started, publishedAt).TotalMilliseconds);
                consumeStarted.Add(Stopwatch.GetElapsedTime(started, startedAt).TotalMilliseconds);
                counted.Add(Stopwatch.GetElapsedTime(started, countedAt).TotalMilliseconds);
                blockPublished.Add(Stopwatch.GetElapsedTime(started, blockPublishedAt).TotalMilliseconds);
                applied.Add(Stopwatch.GetElapsedTime(started, appliedAt).TotalMilliseconds);
            }

            await client.QuitAsync();
        }

        Console.WriteLine($"transport={transport} decisions={decisions} refused={samples.Count} not-refused-within-10s={failures} mail-commands={mailCommands}");
        Console.WriteLine($"decision latency (ms): {Percentiles.Summary([.. samples], "ms", "0.00")}");
        Console.WriteLine($"  event committed to the outbox (ms): {Percentiles.Summary([.. written], "ms", "0.00")}");
        Console.WriteLine($"  the outbox published it (ms):       {Percentiles.Summary([.. published], "ms", "0.00")}");
        Console.WriteLine($"  CA2 started consuming it (ms):      {Percentiles.Summary([.. consumeStarted], "ms", "0.00")}");
        Console.WriteLine($"  CA2 published the block (ms):       {Percentiles.Summary([.. blockPublished], "ms", "0.00")}");
        Console.WriteLine($"  CA2 finished consuming it (ms):     {Percentiles.Summary([.. counted], "ms", "0.00")}");
        Console.WriteLine($"  block applied in the cache (ms):    {Percentiles.Summary([.. applied], "ms", "0.00")}");
        await app.StopAsync();
        return failures == 0 ? 0 : 1;
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

    /// <summary>A minimal SMTP client that reads one reply per command, bound to a chosen local address.</summary>
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

        public static async Task<SmtpLineClient> ConnectAsync(IPAddress local, int port)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            var client = new SmtpLineClient(socket);
            await client.ReadReplyAsync();
            await client.CommandAsync("EHLO bench.test");
            return client;
        }

        public async Task<string> CommandAsync(string command)
        {
            await _stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
            return await ReadReplyAsync();
        }

        /// <summary>Ends the session; the gateway may already have closed it after refusing MAIL FROM.</summary>
        public async Task QuitAsync()
        {
            try
            {
                await CommandAsync("QUIT");
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

        private async Task<string> ReadReplyAsync()
        {
            while (true)
            {
                var line = await _reader.ReadLineAsync() ?? throw new IOException("The gateway closed the connection.");
                if (line.Length < 4 || line[3] != '-')
                {
                    return line;
                }
            }
        }
    }
}
