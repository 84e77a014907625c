using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Relayguard.Contracts;
using Relayguard.Operations;
using Relayguard.Operations.Blocks;

namespace Relayguard.Stores.Tests;

/// <summary>What every <see cref="IBlockStore"/> must do, whatever stores the data.</summary>
public sealed class OperationsBlockStoreContractTests
{
    private const string Address = "198.51.100.7";

    private static readonly DateTimeOffset Now = TestClock.HourStart.AddMinutes(30);

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public void Record_IgnoresRedelivery(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        var block = Block(RuleCodes.Ca1, Now.AddMinutes(-5));

        Assert.True(stores.Blocks.Record(block, "detector:CA1"));
        Assert.False(stores.Blocks.Record(block, "detector:CA1"));

        Assert.Single(stores.Blocks.ForSubject(BlockKinds.Ip, Address));
        Assert.Single(stores.Audit.List(10).Items, entry => entry.Action == "block");
        Assert.Single(stores.Webhooks.ReadAfter(0, 10));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public void List_PagesNewestFirst(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        var blocks = Enumerable.Range(1, 3).Select(i => Block(RuleCodes.Ca1, Now.AddMinutes(-i), $"192.0.2.{i}")).ToList();
        foreach (var block in blocks)
        {
            stores.Blocks.Record(block, "detector:CA1");
        }

        var first = stores.Blocks.List(new BlockQuery { Limit = 2 });
        var second = stores.Blocks.List(new BlockQuery { Limit = 2, After = first.Next });

        Assert.Equal([blocks[0].EventId, blocks[1].EventId], first.Items.Select(block => block.EventId));
        Assert.NotNull(first.Next);
        Assert.Equal([blocks[2].EventId], second.Items.Select(block => block.EventId));
        Assert.Null(second.Next);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public void List_CursorOfOtherFilters_Rejected(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        foreach (var i in Enumerable.Range(1, 3))
        {
            stores.Blocks.Record(Block(RuleCodes.Ca1, Now.AddMinutes(-i), $"192.0.2.{i}"), "detector:CA1");
        }

        var first = stores.Blocks.List(new BlockQuery { Code = RuleCodes.Ca1, Limit = 1 });

        Assert.Equal(PageCursorCheck.Valid, IBlockStore.CheckCursor(first.Next!, new BlockQuery { Code = RuleCodes.Ca1, Limit = 5 }));
        Assert.Equal(PageCursorCheck.OtherFilters, IBlockStore.CheckCursor(first.Next!, new BlockQuery { Code = RuleCodes.Ca2, Limit = 1 }));
        Assert.Throws<ArgumentException>(() => stores.Blocks.List(new BlockQuery { Code = RuleCodes.Ca2, After = first.Next }));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public void List_SubjectFilter_MatchesAccountAndItsAddresses(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        stores.Blocks.Record(AccountBlock("erin", Now.AddMinutes(-3)), "detector:CA1");
        stores.Blocks.Record(AccountBlock("erin/127.0.0.150", Now.AddMinutes(-2)), "gateway:AUTH");
        stores.Blocks.Record(AccountBlock("erina", Now.AddMinutes(-1)), "detector:CA1");
        stores.Blocks.Record(AccountBlock("e%n_/127.0.0.1", Now.AddMinutes(-1)), "detector:CA1");

        var erin = stores.Blocks.List(new BlockQuery { Kind = BlockKinds.Account, Subject = "erin" });
        var oneAddress = stores.Blocks.List(new BlockQuery { Kind = BlockKinds.Account, Subject = "erin/127.0.0.150" });
        var wildcards = stores.Blocks.List(new BlockQuery { Kind = BlockKinds.Account, Subject = "e%" });

        Assert.Equal(["erin/127.0.0.150", "erin"], erin.Items.Select(block => block.Subject));
        Assert.Equal(["erin/127.0.0.150"], oneAddress.Items.Select(block => block.Subject));
        Assert.Empty(wildcards.Items);
        Assert.Equal(["erin/127.0.0.150", "erin"], stores.Blocks.ForSubject(BlockKinds.Account, "erin").Select(block => block.Subject));
        Assert.Equal("127.0.0.150", erin.Items[0].OnIp);
        Assert.Null(erin.Items[1].OnIp);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task List_FiltersByState(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        stores.Blocks.Record(Block(RuleCodes.Ca1, Now.AddHours(-2), "192.0.2.1"), "detector:CA1");
        stores.Blocks.Record(Block(RuleCodes.Ca1, Now.AddHours(-2), "192.0.2.2") with { ExpiresAt = Now.AddHours(-1) }, "detector:CA1");
        stores.Blocks.Record(Block(RuleCodes.Ca1, Now.AddHours(-2), "192.0.2.3"), "detector:CA1");
        await LiftAsync(stores.Blocks, "192.0.2.3", code: null, new EventRecorder());

        Assert.Equal("192.0.2.1", Assert.Single(stores.Blocks.List(new BlockQuery { State = BlockStates.Active }).Items).Subject);
        Assert.Equal("192.0.2.2", Assert.Single(stores.Blocks.List(new BlockQuery { State = BlockStates.Expired }).Items).Subject);
        Assert.Equal("192.0.2.3", Assert.Single(stores.Blocks.List(new BlockQuery { State = BlockStates.Lifted }).Items).Subject);
        Assert.Equal(3, stores.Blocks.List(new BlockQuery { State = BlockStates.All }).Items.Count);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Lift_EndsEveryCodeWithOneEvent(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        stores.Blocks.Record(Block(RuleCodes.Ca1, Now.AddMinutes(-5)), "detector:CA1");
        stores.Blocks.Record(Block(RuleCodes.Ca2, Now.AddMinutes(-4)), "detector:CA2");
        var events = new EventRecorder();

        var lifted = await LiftAsync(stores.Blocks, Address, code: null, events);
        var again = await LiftAsync(stores.Blocks, Address, code: null, events);

        Assert.Equal(2, lifted.Count);
        Assert.Empty(again);
        var message = Assert.IsType<IpUnblocked>(Assert.Single(events.Published));
        Assert.Equal([RuleCodes.Ca1, RuleCodes.Ca2], message.Codes.Order());
        Assert.All(stores.Blocks.ForSubject(BlockKinds.Ip, Address), block => Assert.Equal(BlockStates.Lifted, block.State));
        Assert.Equal(2, stores.Audit.List(10).Items.Count(entry => entry.Action == "lift"));
        Assert.Single(stores.Webhooks.ReadAfter(0, 10), item => item.Type == nameof(IpUnblocked));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Lift_OneCodeKeepsOthers(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        stores.Blocks.Record(Block(RuleCodes.Ca1, Now.AddMinutes(-5)), "detector:CA1");
        stores.Blocks.Record(Block(RuleCodes.Ca2, Now.AddMinutes(-4)), "detector:CA2");

        var lifted = await LiftAsync(stores.Blocks, Address, RuleCodes.Ca2, new EventRecorder());

        Assert.Equal(RuleCodes.Ca2, Assert.Single(lifted).Code);
        var active = Assert.Single(stores.Blocks.List(new BlockQuery()).Items);
        Assert.Equal(RuleCodes.Ca1, active.Code);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task ConcurrentLifts_PublishOnce(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        stores.Blocks.Record(Block(RuleCodes.Ca1, Now.AddMinutes(-5)), "detector:CA1");
        var events = new EventRecorder();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => LiftAsync(stores.Blocks, Address, code: null, events))));

        Assert.Single(results, lifted => lifted.Count > 0);
        Assert.Single(events.Published);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public void ApplyLift_KeepsLaterBlocksAndIgnoresRedelivery(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        stores.Blocks.Record(Block(RuleCodes.Ca1, Now.AddMinutes(-10)), "detector:CA1");
        stores.Blocks.Record(Block(RuleCodes.Ca2, Now.AddMinutes(-1)), "detector:CA2");
        var lift = Lift(Address);

        Assert.True(stores.Blocks.ApplyLift(lift, [RuleCodes.Ca1, RuleCodes.Ca2], Now.AddMinutes(-5)));
        Assert.False(stores.Blocks.ApplyLift(lift, [RuleCodes.Ca1, RuleCodes.Ca2], Now.AddMinutes(-5)));

        var blocks = stores.Blocks.ForSubject(BlockKinds.Ip, Address);
        Assert.Equal(BlockStates.Lifted, Assert.Single(blocks, block => block.Code == RuleCodes.Ca1).State);
        Assert.Equal(BlockStates.Active, Assert.Single(blocks, block => block.Code == RuleCodes.Ca2).State);
        Assert.Single(stores.Audit.List(10).Items, entry => entry.Action == "lift");
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task ApplyLift_SkipsOwnLift(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        stores.Blocks.Record(Block(RuleCodes.Ca1, Now.AddMinutes(-5)), "detector:CA1");
        var lift = Lift(Address);
        await stores.Blocks.LiftAsync(lift, null, Now, codes => Unblocked(lift, codes), new EventRecorder().PublishAsync, default);

        Assert.False(stores.Blocks.ApplyLift(lift, [RuleCodes.Ca1], Now));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task ManualBlock_StoresAndPublishes(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        var block = Block(RuleCodes.Op1, Now);
        var message = Blocked(block);
        var events = new EventRecorder();

        var (record, replaced) = await stores.Blocks.BlockAsync(block, "admin", message, events.PublishAsync, default);

        Assert.Equal(block.EventId, record.EventId);
        Assert.Equal("admin", record.SetBy);
        Assert.Equal(BlockStates.Active, record.State);
        Assert.Empty(replaced);
        Assert.Same(message, Assert.Single(events.Published));
        Assert.False(stores.Blocks.Record(block, IBlockStore.EventActor(RuleCodes.Op1)));
    }

    /// <summary>The gateways replace a block of the same code and scope, so the store keeps one active block as they do.</summary>
    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task ManualBlock_SameScope_ReplacesActive(string kind)
    {
        using var scope = new StoreScope(kind);
        var time = new FakeTimeProvider(Now);
        var stores = scope.Operations(time);
        var first = Block(RuleCodes.Op1, Now);
        var otherScope = Block(RuleCodes.Op1, Now) with { Scope = "null-sender" };
        await stores.Blocks.BlockAsync(first, "admin", Blocked(first), new EventRecorder().PublishAsync, default);
        await stores.Blocks.BlockAsync(otherScope, "admin", Blocked(otherScope), new EventRecorder().PublishAsync, default);
        time.Advance(TimeSpan.FromMinutes(1));
        var second = Block(RuleCodes.Op1, time.GetUtcNow());

        var result = await stores.Blocks.BlockAsync(second, "admin", Blocked(second), new EventRecorder().PublishAsync, default);

        Assert.Equal(first.EventId, Assert.Single(result.Replaced).EventId);
        var blocks = stores.Blocks.ForSubject(BlockKinds.Ip, Address);
        var active = blocks.Where(b => b.State == BlockStates.Active).Select(b => b.EventId).Order().ToList();
        Assert.Equal(new[] { otherScope.EventId, second.EventId }.Order(), active);
        var replaced = Assert.Single(blocks, b => b.EventId == first.EventId);
        Assert.Equal(BlockStates.Lifted, replaced.State);
        Assert.Equal($"Replaced by a new OP1 block: {second.Reason}", replaced.LiftReason);
        Assert.Single(stores.Audit.List(10).Items, entry => entry.Action == "lift" && entry.Reason == replaced.LiftReason);

        // Webhook receivers drop a repeated id, so the lift's webhook must not reuse the new block's.
        var webhooks = stores.Webhooks.ReadAfter(0, 10);
        var lift = Assert.Single(webhooks, item => item.Type == nameof(IpUnblocked));
        Assert.NotEqual(second.EventId, lift.EventId);
        Assert.Equal(webhooks.Count, webhooks.Select(item => item.EventId).Distinct().Count());
    }

    /// <summary>SQLite rolls the block back. MongoDB keeps it, and its outbox publishes the event once the bus takes it.</summary>
    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task ManualBlock_PublishFailure(string kind)
    {
        using var scope = new StoreScope(kind);
        var time = new FakeTimeProvider(Now);
        var stores = scope.Operations(time);
        var block = Block(RuleCodes.Op1, Now);
        var failing = new EventRecorder { Failing = true };

        if (stores.Outbox is null)
        {
            await Assert.ThrowsAsync<EventPublishException>(() => stores.Blocks.BlockAsync(block, "admin", Blocked(block), failing.PublishAsync, default));
            Assert.Empty(stores.Blocks.ForSubject(BlockKinds.Ip, Address));
            return;
        }

        await stores.Blocks.BlockAsync(block, "admin", Blocked(block), failing.PublishAsync, default);
        Assert.Single(stores.Blocks.ForSubject(BlockKinds.Ip, Address));

        var bus = RecordingPublishEndpoint.Create();
        Assert.Equal(0, await stores.Outbox.PublishPendingAsync(bus.Endpoint, NullLogger.Instance, default));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await stores.Outbox.PublishPendingAsync(bus.Endpoint, NullLogger.Instance, default));
        Assert.Equal(block.EventId, Assert.IsType<IpBlocked>(Assert.Single(bus.Published)).EventId);
        Assert.Equal(0, await stores.Outbox.PublishPendingAsync(bus.Endpoint, NullLogger.Instance, default));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task CountActive_ByCode(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        stores.Blocks.Record(Block(RuleCodes.Ca1, Now.AddMinutes(-3), "192.0.2.1"), "detector:CA1");
        stores.Blocks.Record(Block(RuleCodes.Ca1, Now.AddMinutes(-2), "192.0.2.2"), "detector:CA1");
        stores.Blocks.Record(Block(RuleCodes.Ca2, Now.AddMinutes(-1), "192.0.2.3"), "detector:CA2");
        stores.Blocks.Record(Block(RuleCodes.Ca2, Now.AddMinutes(-1), "192.0.2.4"), "detector:CA2");
        await LiftAsync(stores.Blocks, "192.0.2.4", code: null, new EventRecorder());

        var counts = stores.Blocks.CountActive().ToDictionary(count => count.Code, count => count.Count);

        Assert.Equal(2, counts[RuleCodes.Ca1]);
        Assert.Equal(1, counts[RuleCodes.Ca2]);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task FindEnded_LeavesActiveAndUnknown(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        var active = Block(RuleCodes.Ca1, Now.AddHours(-2), "192.0.2.1");
        var expired = Block(RuleCodes.Ca1, Now.AddHours(-2), "192.0.2.2") with { ExpiresAt = Now.AddHours(-1) };
        var lifted = Block(RuleCodes.Ca1, Now.AddHours(-2), "192.0.2.3");
        foreach (var block in new[] { active, expired, lifted })
        {
            stores.Blocks.Record(block, "detector:CA1");
        }

        await LiftAsync(stores.Blocks, "192.0.2.3", code: null, new EventRecorder());

        var ended = stores.Blocks.FindEnded([active.EventId, expired.EventId, lifted.EventId, Guid.NewGuid()]);

        Assert.Equal([expired.EventId, lifted.EventId], ended);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task PruneEvidence_AfterRetentionOnce(string kind)
    {
        using var scope = new StoreScope(kind);
        var time = new FakeTimeProvider(Now);
        var stores = scope.Operations(time);
        stores.Blocks.Record(Block(RuleCodes.Ca1, Now.AddMinutes(-5)), "detector:CA1");
        await LiftAsync(stores.Blocks, Address, code: null, new EventRecorder());

        Assert.Equal(0, stores.Blocks.PruneEvidence());
        time.Advance(TimeSpan.FromDays(91));
        Assert.Equal(1, stores.Blocks.PruneEvidence());
        Assert.Equal(0, stores.Blocks.PruneEvidence());

        var block = Assert.Single(stores.Blocks.ForSubject(BlockKinds.Ip, Address));
        Assert.Empty(block.Evidence!.Samples);
        Assert.Equal("5 invalid recipients", block.Evidence.Summary);

        // The stores keep times to the millisecond.
        Assert.Equal(time.GetUtcNow().ToUnixTimeMilliseconds(), block.EvidenceSamplesDeletedAt?.ToUnixTimeMilliseconds());
    }

    private static NewBlock Block(string code, DateTimeOffset blockedAt, string subject = Address) => new()
    {
        EventId = Guid.NewGuid(),
        Kind = BlockKinds.Ip,
        Subject = subject,
        Code = code,
        Scope = "all",
        Reason = $"{code} test block",
        Evidence = new BlockEvidence
        {
            Summary = "5 invalid recipients",
            Samples = [new EvidenceSample { Value = "nobody@example.com", Detail = "550 5.1.1" }],
        },
        BlockedAt = blockedAt,
    };

    private static NewBlock AccountBlock(string subject, DateTimeOffset blockedAt) =>
        Block(RuleCodes.Ca1, blockedAt, subject) with { Kind = BlockKinds.Account };

    private static BlockLift Lift(string subject) => new()
    {
        Kind = BlockKinds.Ip,
        Subject = subject,
        Operator = "admin",
        Reason = "test lift",
        EventId = Guid.NewGuid(),
    };

    private static Task<IReadOnlyList<BlockRecord>> LiftAsync(IBlockStore store, string subject, string? code, EventRecorder events)
    {
        var lift = Lift(subject);
        return store.LiftAsync(lift, code, Now, codes => Unblocked(lift, codes), events.PublishAsync, default);
    }

    private static IpUnblocked Unblocked(BlockLift lift, IReadOnlyList<string> codes) => new()
    {
        EventId = lift.EventId,
        Ip = lift.Subject,
        Codes = codes,
        Operator = lift.Operator,
        Reason = lift.Reason,
        UnblockedAt = Now,
    };

    private static IpBlocked Blocked(NewBlock block) => new()
    {
        EventId = block.EventId,
        Ip = block.Subject,
        Code = block.Code,
        Scope = block.Scope,
        Reason = block.Reason,
        Evidence = block.Evidence,
        BlockedAt = block.BlockedAt,
        ExpiresAt = block.ExpiresAt,
    };

    /// <summary>An <see cref="EventPublisher"/> that records each message, or fails as the bus does when it is down.</summary>
    private sealed class EventRecorder
    {
        public ConcurrentQueue<object> Published { get; } = new();

        public bool Failing { get; init; }

        public Task PublishAsync(object message, Guid eventId, CancellationToken cancellationToken)
        {
            if (Failing)
            {
                throw new EventPublishException("The bus is down.", new InvalidOperationException("The bus is down."));
            }

            Published.Enqueue(message);
            return Task.CompletedTask;
        }
    }
}
