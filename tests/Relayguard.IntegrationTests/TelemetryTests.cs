using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Relayguard.IntegrationTests.Infrastructure;

namespace Relayguard.IntegrationTests;

/// <summary>Traces and metrics of the embedded mode, read from an in-memory exporter and the scrape endpoint.</summary>
public sealed class TelemetryTests
{
    private const string Password = "telemetry-test-password";
    private const string Gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    [Fact]
    public async Task Trace_LeadsFromSubmissionToBlockAndRefusal()
    {
        var spans = new ConcurrentQueue<Activity>();
        await using var upstream = new RefusingUpstream(address => address.StartsWith("gone", StringComparison.Ordinal));
        await using var relayguard = await StartExportingAsync(spans, new() { ["Relay:Upstream"] = upstream.Endpoint, ["Smtp:AllowPlaintextAuth"] = "true" });
        relayguard.AddAccount("traced", Password);
        var recipients = Enumerable.Range(0, 30).Select(i => $"gone{i}@example.net").Append("reader@example.net").ToArray();
        using (var client = await Clients.ConnectAsync(relayguard, "traced", Password))
        {
            await client.SendAsync(Clients.Message("traced@customer.test", "Offers", "Offers.", recipients));
        }

        // The exporter sees every span of this test process, also those of other tests running beside this one,
        // so each span is picked by this test's account or by its trace.
        await Wait.UntilAsync(
            async () =>
            {
                using var raw = await RawSmtpClient.ConnectAsync(relayguard.SmtpEndPoint);
                await raw.LoginAsync("traced", Password);
                var reply = await raw.CommandAsync("MAIL FROM:<traced@customer.test>");
                await raw.CommandAsync("QUIT");
                return reply.StartsWith("550 5.7.1", StringComparison.Ordinal);
            },
            "the gateway to refuse the account under CA1");

        await Wait.UntilAsync(() => spans.Any(s => IsOwn(s) && s.OperationName == "smtp.transaction" && Equals(s.GetTagItem("relayguard.code"), "CA1")), "the refused transaction's span");
        var submission = spans.Single(s => IsOwn(s) && s.OperationName == "smtp.transaction" && Equals(s.GetTagItem("relayguard.outcome"), "relayed"));
        await Wait.UntilAsync(() => spans.Any(s => s.TraceId == submission.TraceId && s.OperationName == "block-cache.update"), "the block-cache update span");
        var decision = spans.Single(s => s.TraceId == submission.TraceId && s.OperationName == "relayguard.decision" && Equals(s.GetTagItem("relayguard.decision"), "blocked"));
        var cacheUpdate = spans.First(s => s.TraceId == submission.TraceId && s.OperationName == "block-cache.update");
        var refusal = spans.First(s => IsOwn(s) && s.OperationName == "smtp.transaction" && Equals(s.GetTagItem("relayguard.code"), "CA1"));

        Assert.Equal(submission.TraceId, decision.TraceId);
        Assert.Equal([submission.TraceId], decision.Links.Select(link => link.Context.TraceId));
        Assert.Equal("CA1", decision.GetTagItem("relayguard.rule"));
        Assert.Equal(25.0, decision.GetTagItem("relayguard.evidence.minInvalidRecipients"));
        Assert.InRange((double)decision.GetTagItem("relayguard.evidence.invalidRecipients")!, 25.0, 30.0);
        Assert.Equal(submission.TraceId, cacheUpdate.TraceId);
        Assert.Contains(refusal.Links, link => link.Context.TraceId == submission.TraceId);
        Assert.Equal("traced", submission.GetTagItem("enduser.id"));
        Assert.Contains(spans, s => s.OperationName == "relay" && s.ParentSpanId == submission.SpanId);
        Assert.DoesNotContain(spans.SelectMany(s => s.TagObjects), tag => tag.Value is string text && text.Contains(Password, StringComparison.Ordinal));

        using var http = new HttpClient { BaseAddress = relayguard.OpsUrl };
        await Wait.UntilAsync(
            async () => (await http.GetStringAsync("/metrics")).Split('\n').Any(line => line.StartsWith("relayguard_blocks_active{", StringComparison.Ordinal) && line.Contains("code=\"CA1\"", StringComparison.Ordinal)
                && double.Parse(line.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture) >= 1),
            "the scrape endpoint to show one active CA1 block");
        var scrape = await http.GetStringAsync("/metrics");
        Assert.Contains(scrape.Split('\n'), line => line.StartsWith("relayguard_decisions_total{", StringComparison.Ordinal) && line.Contains("outcome=\"blocked\"", StringComparison.Ordinal) && line.Contains("rule=\"CA1\"", StringComparison.Ordinal));
        Assert.Contains(scrape.Split('\n'), line => line.StartsWith("relayguard_refusals_total{", StringComparison.Ordinal) && line.Contains("code=\"CA1\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ca2Decision_LinksEachSubmission()
    {
        const string Account = "linked-spam";
        var spans = new ConcurrentQueue<Activity>();
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await StartExportingAsync(
            spans,
            new() { ["Relay:Upstream"] = sink.Endpoint, ["Smtp:AllowPlaintextAuth"] = "true", ["Rspamd:Url"] = TestEnvironment.RspamdUrl });
        relayguard.AddAccount(Account, Password);

        // A session of its own for each message, so that each submission has a trace of its own.
        for (var i = 0; i < 5; i++)
        {
            using var client = await Clients.ConnectAsync(relayguard, Account, Password);
            var spam = Clients.Message("pc@customer.test", "Cheap watches " + i, "Buy now!\r\n" + Gtube + "\r\n", "victim@example.net");
            await Assert.ThrowsAsync<MailKit.Net.Smtp.SmtpCommandException>(() => client.SendAsync(spam));
        }

        var submissions = await OwnTransactionsAsync(spans, Account, 5);
        var decision = await BlockedDecisionAsync(spans, "CA2", submissions);

        Assert.Equal(5, submissions.Select(s => s.TraceId).Distinct().Count());
        Assert.Equal(submissions.Select(s => s.TraceId).Reverse(), decision.Links.Select(link => link.Context.TraceId));
    }

    [Fact]
    public async Task Ca1Decision_LinksEachSubmission()
    {
        const string Account = "linked-lists";
        var spans = new ConcurrentQueue<Activity>();
        await using var upstream = new RefusingUpstream(address => address.StartsWith("gone", StringComparison.Ordinal));
        await using var relayguard = await StartExportingAsync(spans, new() { ["Relay:Upstream"] = upstream.Endpoint, ["Smtp:AllowPlaintextAuth"] = "true" });
        relayguard.AddAccount(Account, Password);

        // 10 invalid recipients a message: only the third message reaches the threshold of 25, so the block counts
        // recipients of all three.
        for (var i = 0; i < 3; i++)
        {
            using var client = await Clients.ConnectAsync(relayguard, Account, Password);
            var recipients = Enumerable.Range(i * 10, 10).Select(n => $"gone{n}@example.net").Append("reader@example.net").ToArray();
            await client.SendAsync(Clients.Message("lists@customer.test", "Newsletter " + i, "News.", recipients));
        }

        var submissions = await OwnTransactionsAsync(spans, Account, 3);
        var decision = await BlockedDecisionAsync(spans, "CA1", submissions);

        Assert.Equal(3, submissions.Select(s => s.TraceId).Distinct().Count());
        Assert.Equal(submissions.Select(s => s.TraceId).Reverse(), decision.Links.Select(link => link.Context.TraceId));
    }

    [Fact]
    public async Task Metrics_CountOutcomesWithoutAccountLabels()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var relayguard = await RelayTests.StartAsync(sink.Endpoint);
        relayguard.AddAccount("metered", Password);
        using (var client = await Clients.ConnectAsync(relayguard, "metered", Password))
        {
            await client.SendAsync(Clients.Message("metered@customer.test", "One", "One.", "a@example.net"));
            await client.SendAsync(Clients.Message("metered@customer.test", "Two", "Two.", "b@example.net"));
        }

        using var http = new HttpClient { BaseAddress = relayguard.OpsUrl };
        string scrape = string.Empty;
        await Wait.UntilAsync(
            async () =>
            {
                scrape = await http.GetStringAsync("/metrics");
                // The meter is shared by every instance in this test process, so other tests may add to the count.
                return scrape.Split('\n').Any(line => line.StartsWith("relayguard_messages_total{", StringComparison.Ordinal) && line.Contains("outcome=\"relayed\"", StringComparison.Ordinal)
                    && double.Parse(line.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture) >= 2);
            },
            "the scrape endpoint to count two relayed messages");

        Assert.Contains("relayguard_relay_duration_seconds_bucket", scrape);
        Assert.DoesNotContain("metered", scrape);
        Assert.DoesNotContain("127.0.0.1", scrape.Split('\n').Where(l => l.StartsWith("relayguard_", StringComparison.Ordinal)));
    }

    private static bool IsOwn(Activity span) => Equals(span.GetTagItem("enduser.id"), "traced");

    /// <summary>Starts an instance whose finished spans go into <paramref name="spans"/>.</summary>
    private static Task<RelayguardInstance> StartExportingAsync(ConcurrentQueue<Activity> spans, Dictionary<string, string?> settings) =>
        RelayguardInstance.StartAsync(
            settings,
            configure: builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(new QueueExporter(spans)))));

    /// <summary>Waits for the SMTP transaction spans of the account and returns them oldest first.</summary>
    private static async Task<List<Activity>> OwnTransactionsAsync(ConcurrentQueue<Activity> spans, string account, int count)
    {
        bool IsTransaction(Activity span) => span.OperationName == "smtp.transaction" && Equals(span.GetTagItem("enduser.id"), account);
        await Wait.UntilAsync(() => spans.Count(IsTransaction) >= count, $"{count} transaction spans of {account}");
        return spans.Where(IsTransaction).OrderBy(span => span.StartTimeUtc).ToList();
    }

    /// <summary>
    /// Waits for the decision span that made a block of <paramref name="rule"/> in the trace of one of
    /// <paramref name="submissions"/>. The exporter also receives other tests' spans, which are in other traces.
    /// </summary>
    private static async Task<Activity> BlockedDecisionAsync(ConcurrentQueue<Activity> spans, string rule, List<Activity> submissions)
    {
        var traces = submissions.Select(submission => submission.TraceId).ToHashSet();
        bool IsDecision(Activity span) => span.OperationName == "relayguard.decision" && Equals(span.GetTagItem("relayguard.decision"), "blocked")
            && Equals(span.GetTagItem("relayguard.rule"), rule) && traces.Contains(span.TraceId);
        await Wait.UntilAsync(() => spans.Any(IsDecision), $"the {rule} decision span");
        return Assert.Single(spans, IsDecision);
    }

    private sealed class QueueExporter(ConcurrentQueue<Activity> spans) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var activity in batch)
            {
                spans.Enqueue(activity);
            }

            return ExportResult.Success;
        }
    }
}
