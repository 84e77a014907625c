using System.Diagnostics;
using Relayguard.DistributedTests.Infrastructure;

namespace Relayguard.DistributedTests;

/// <summary>The gateway keeps accepting mail while the broker is down, and every event arrives afterwards and counts once.</summary>
[Collection(DistributedCollection.Name)]
public sealed class BrokerOutageTests(BrokerFixture fixture)
{
    private const string Password = "customer-password";
    private const int MaxMessages = 3000;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);
    private const string LostLine = "Lost the connection to the message broker at 127.0.0.1";
    private const string BackLine = "The message broker at 127.0.0.1";

    [Fact]
    public async Task BrokerStopped_EventsArriveOnce()
    {
        await using var sink = await SmtpSinkProcess.StartAsync();
        await using var deployment = await Deployment.CreateAsync(fixture.Broker);
        var ca1 = deployment.Detector("ca1");
        var gateway = deployment.Gateway("gw-a", sink.Endpoint);

        // The load is far above RL1's default of 300 messages an hour, which this test is not about.
        gateway.Settings["Rules:RL1:MessagesPerHour"] = "0";
        gateway.Settings["Rules:RL1:RecipientsPerHour"] = "0";
        Deployment.AddAccount(gateway, "alice", Password);
        // A consumer that fails just after the broker returns is redelivered. The default intervals (30 s, then 2 min)
        // would outlast the wait below, and this test is not about redelivery timing.
        ca1.Settings["Bus:RedeliveryIntervals:0"] = "2s";
        ca1.Settings["Bus:RedeliveryIntervals:1"] = "5s";
        ca1.Settings["Bus:RedeliveryIntervals:2"] = "10s";
        var ca1Process = await deployment.StartAsync(ca1);
        var gatewayProcess = await deployment.StartAsync(gateway);
        var probe = await BusProbe.StartAsync(deployment.BusUri);
        try
        {
            using var stopLoad = new CancellationTokenSource();
            var load = SendSteadilyAsync(gateway, stopLoad.Token);
            await Wait.UntilAsync(() => load.IsCompleted || probe.Submissions.Count >= 20, "the first events to arrive");

            await fixture.Broker.StopAsync();
            var sentAtStop = SentSoFar;
            await Task.Delay(Outage);
            var sentDuringOutage = SentSoFar - sentAtStop;
            foreach (var process in new[] { gatewayProcess, ca1Process })
            {
                await Wait.UntilAsync(() => process.LinesWith(LostLine).Count > 0, $"{process.Name} to log the lost broker connection", TimeSpan.FromSeconds(10));
            }

            await fixture.Broker.StartAsync();
            await Wait.UntilAsync(() => load.IsCompleted || SentSoFar >= sentAtStop + sentDuringOutage + 20, "20 more messages after the broker returned");
            await stopLoad.CancelAsync();
            var (sent, accepted) = await load;

            var store = ca1.Settings["Store:Sqlite"];
            try
            {
                await Wait.UntilAsync(() => StoreReader.Processed(store, "ca1-message-submitted") >= accepted, $"CA1 to apply {accepted} submissions", TimeSpan.FromSeconds(120));
            }
            catch (TimeoutException timeout)
            {
                var applied = StoreReader.Processed(store, "ca1-message-submitted");
                var pending = StoreReader.Count(Path.Combine(gateway.DataDirectory, "relayguard.db"), "SELECT COUNT(*) FROM gateway_outbox;");
                throw new TimeoutException($"{timeout.Message} CA1 applied {applied}; the gateway's outbox holds {pending}. CA1's last lines:\n{ca1Process.RecentOutput}\nThe gateway's last lines:\n{gatewayProcess.RecentOutput}", timeout);
            }

            foreach (var process in new[] { gatewayProcess, ca1Process })
            {
                await Wait.UntilAsync(() => process.LinesWith(BackLine).Count > 0, $"{process.Name} to log the broker's return", TimeSpan.FromSeconds(30));
                Assert.Single(process.LinesWith(LostLine));
                Assert.Single(process.LinesWith("Connected to the message broker at 127.0.0.1"));
                // The outage as the service saw it: the 20 seconds, give or take the broker's stop and start.
                var away = System.Text.RegularExpressions.Regex.Match(process.LinesWith(BackLine)[0], @"is back after (\d+)(s|m)\.");
                Assert.True(away.Success, process.LinesWith(BackLine)[0]);
                var seconds = int.Parse(away.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * (away.Groups[2].Value == "m" ? 60 : 1);
                Assert.InRange(seconds, 10, 180);
            }

            Assert.Contains("keeps its events on disk", gatewayProcess.LinesWith(LostLine)[0], StringComparison.Ordinal);
            await Wait.UntilAsync(() => probe.Submissions.Select(s => s.EventId).Distinct().Count() >= accepted, $"the probe to receive {accepted} submissions", TimeSpan.FromSeconds(60));
            Assert.True(sentDuringOutage >= 10, $"Only {sentDuringOutage} messages were sent while the broker was down.");
            Assert.Equal(sent, accepted);
            Assert.Equal(accepted, probe.Submissions.Select(s => s.EventId).Distinct().Count());
            Assert.Equal(accepted, StoreReader.Processed(store, "ca1-message-submitted"));
            Assert.Equal(accepted, StoreReader.Count(store, "SELECT COUNT(*) FROM ca1_recipients WHERE account = 'alice';"));
            Assert.Equal(0, StoreReader.Count(Path.Combine(gateway.DataDirectory, "relayguard.db"), "SELECT COUNT(*) FROM gateway_outbox;"));
        }
        finally
        {
            if (!fixture.Broker.IsRunning)
            {
                await fixture.Broker.StartAsync();
            }

            await probe.DisposeAsync();
        }
    }

    private int _sent;

    private int SentSoFar => Volatile.Read(ref _sent);

    /// <summary>
    /// Sends one message at a time, each to a recipient of its own, at about 20 a second, until stopped. A new
    /// session every 50 messages keeps within the gateway's commands-per-session limit.
    /// </summary>
    private async Task<(int Sent, int Accepted)> SendSteadilyAsync(ServiceSpec gateway, CancellationToken stop)
    {
        var accepted = 0;
        var pace = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested && _sent < MaxMessages)
        {
            using var client = await SmtpTestClient.ConnectAsync(gateway.SmtpPort);
            Assert.StartsWith("235", await client.LoginAsync("alice", Password));
            for (var i = 0; i < 50 && !stop.IsCancellationRequested; i++)
            {
                var reply = await client.SendAsync("alice@customer.test", [$"reader{_sent}@example.net"], "Steady load");
                Interlocked.Increment(ref _sent);
                accepted += reply.StartsWith("250", StringComparison.Ordinal) ? 1 : 0;

                // Pacing of the load, not synchronisation: about 20 messages a second.
                var due = TimeSpan.FromMilliseconds(50 * _sent) - pace.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, CancellationToken.None);
                }
            }

            await client.CommandAsync("QUIT");
        }

        return (_sent, accepted);
    }
}
