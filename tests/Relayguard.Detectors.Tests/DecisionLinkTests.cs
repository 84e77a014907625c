using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Relayguard.Contracts;
using Relayguard.Detectors.Bo1;
using Relayguard.Detectors.Ca1;
using Relayguard.Detectors.Ca2;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Tests;

/// <summary>
/// The decision span of a new block links to the submissions that caused it. Each event is consumed inside an
/// activity of its own, with a trace of its own, as MassTransit's consume span would be.
/// </summary>
public sealed class DecisionLinkTests : IDisposable
{
    private const string ClientIp = "203.0.113.40";
    private const string Account = "dave";

    private readonly TestDatabase _database = new();
    private readonly FakeTimeProvider _time = new(Events.Start.AddMinutes(50));
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;

    public DecisionLinkTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RelayguardTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _database.Dispose();
    }

    [Fact]
    public async Task Ca2_LinksEachReject()
    {
        var rule = new Ca2Rule(new SqliteCa2Store(_database.Database), Options.Create(new Ca2Options()), _time, NullLogger<Ca2Rule>.Instance);
        var consumes = new List<Activity>();

        for (var i = 0; i < 5; i++)
        {
            var (consume, _) = await ConsumeAsync(() => rule.RecordSubmissionAsync(Events.SpamRejected(ClientIp, Events.Start.AddMinutes(i)), default));
            consumes.Add(consume);
        }

        var decision = BlockedDecision(consumes);
        Assert.Equal(NewestSpanIds(consumes), decision.Links.Select(link => link.Context.SpanId));
        Assert.Equal(consumes.Select(consume => consume.TraceId).Reverse(), decision.Links.Select(link => link.Context.TraceId));
        Assert.Equal(consumes[^1].SpanId, decision.ParentSpanId);
    }

    [Fact]
    public async Task Ca2_LinksCappedToNewest()
    {
        var options = new Ca2Options { Count = DecisionSpans.MaxLinks + 8, Window = "1h" };
        var rule = new Ca2Rule(new SqliteCa2Store(_database.Database), Options.Create(options), _time, NullLogger<Ca2Rule>.Instance);
        var consumes = new List<Activity>();

        for (var i = 0; i < options.Count; i++)
        {
            var (consume, _) = await ConsumeAsync(() => rule.RecordSubmissionAsync(Events.SpamRejected(ClientIp, Events.Start.AddSeconds(i)), default));
            consumes.Add(consume);
        }

        var decision = BlockedDecision(consumes);
        Assert.Equal(DecisionSpans.MaxLinks, decision.Links.Count());
        Assert.Equal(NewestSpanIds(consumes).Take(DecisionSpans.MaxLinks), decision.Links.Select(link => link.Context.SpanId));
    }

    [Fact]
    public async Task Bo1_LinksEachRefusalOnBothBlocks()
    {
        var rule = new Bo1Rule(new SqliteBo1Store(_database.Database), Options.Create(new Bo1Options()), _time, NullLogger<Bo1Rule>.Instance);
        var consumes = new List<Activity>();

        for (var i = 0; i < 3; i++)
        {
            var (consume, _) = await ConsumeAsync(() => rule.RecordSubmissionAsync(Events.BounceRefused(ClientIp, Events.Start.AddMinutes(i), Account), default));
            consumes.Add(consume);
        }

        var decisions = _spans.Where(span => IsBlockedDecision(span, consumes)).ToList();
        Assert.Equal(2, decisions.Count);
        Assert.All(decisions, decision => Assert.Equal(NewestSpanIds(consumes), decision.Links.Select(link => link.Context.SpanId)));
    }

    [Fact]
    public async Task Ca1_LinksSubmissionsToInvalidRecipients()
    {
        var options = new Ca1Options { MinInvalidRecipients = 3, MinInvalidShare = 0.2 };
        var rule = new Ca1Rule(new SqliteCa1Store(_database.Database), Options.Create(options), _time, NullLogger<Ca1Rule>.Instance);
        var submissions = new List<Activity>();

        // Five submissions to one recipient each. The recipients of the first three bounce, and the last two are valid.
        for (var i = 0; i < 5; i++)
        {
            var (submission, _) = await ConsumeAsync(() => rule.RecordSubmissionAsync(Events.Relayed(Account, 1, Events.Start.AddMinutes(i), firstRecipient: i), default));
            submissions.Add(submission);
        }

        var bounces = new List<Activity>();
        for (var i = 0; i < 3; i++)
        {
            var (bounce, _) = await ConsumeAsync(() => rule.RecordBounceAsync(Events.Bounce(Account, i, Events.Start.AddMinutes(i)), default));
            bounces.Add(bounce);
        }

        var decision = BlockedDecision(bounces);
        Assert.Equal(NewestSpanIds(submissions.Take(3)), decision.Links.Select(link => link.Context.SpanId));
        Assert.Equal(bounces[^1].SpanId, decision.ParentSpanId);
    }

    [Fact]
    public async Task UntracedRejects_NotLinked()
    {
        var rule = new Ca2Rule(new SqliteCa2Store(_database.Database), Options.Create(new Ca2Options()), _time, NullLogger<Ca2Rule>.Instance);

        for (var i = 0; i < 4; i++)
        {
            await rule.RecordSubmissionAsync(Events.SpamRejected(ClientIp, Events.Start.AddMinutes(i)), default);
        }

        var (consume, block) = await ConsumeAsync(() => rule.RecordSubmissionAsync(Events.SpamRejected(ClientIp, Events.Start.AddMinutes(4)), default));

        Assert.NotNull(block);
        Assert.Equal(new[] { consume.Id! }, block.SubmissionTraceParents);
        Assert.Equal([consume.SpanId], BlockedDecision([consume]).Links.Select(link => link.Context.SpanId));
    }

    /// <summary>Runs <paramref name="consume"/> inside a new root activity, as a detector's consumer runs inside its consume span.</summary>
    private static async Task<(Activity Activity, T Result)> ConsumeAsync<T>(Func<Task<T>> consume)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        var activity = new Activity("consume").Start();
        try
        {
            return (activity, await consume());
        }
        finally
        {
            activity.Stop();
            Activity.Current = previous;
        }
    }

    private static IEnumerable<ActivitySpanId> NewestSpanIds(IEnumerable<Activity> oldestFirst) => oldestFirst.Select(activity => activity.SpanId).Reverse();

    private static bool IsBlockedDecision(Activity span, IEnumerable<Activity> parents) =>
        span.OperationName == "relayguard.decision"
        && Equals(span.GetTagItem("relayguard.decision"), "blocked")
        && parents.Any(parent => parent.SpanId == span.ParentSpanId);

    /// <summary>Returns the one blocked decision span under one of <paramref name="parents"/>, which leaves out other tests' spans.</summary>
    private Activity BlockedDecision(IEnumerable<Activity> parents) => Assert.Single(_spans, span => IsBlockedDecision(span, parents));
}
