using Microsoft.Extensions.Time.Testing;
using Relayguard.Operations.Tokens;

namespace Relayguard.Stores.Tests;

/// <summary>What every <see cref="ITokenStore"/> must do, whatever stores the data.</summary>
public sealed class OperationsTokenStoreContractTests
{
    private static readonly DateTimeOffset Now = TestClock.HourStart.AddMinutes(30);

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public void Token_VerifiesUntilRemoved(string kind)
    {
        using var scope = new StoreScope(kind);
        var tokens = scope.Operations(new FakeTimeProvider(Now)).Tokens;

        var token = tokens.Add("ops", OperatorRoles.Read, "admin");

        Assert.Equal("ops", tokens.Verify(token)?.Name);
        Assert.Equal(OperatorRoles.Read, tokens.Verify(token)?.Role);
        Assert.Null(tokens.Verify(token[..^1] + (token[^1] == 'A' ? 'B' : 'A')));
        Assert.True(tokens.Remove("ops", "admin"));
        Assert.Null(tokens.Verify(token));
        Assert.False(tokens.Remove("ops", "admin"));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public void Add_RejectsTakenName(string kind)
    {
        using var scope = new StoreScope(kind);
        var tokens = scope.Operations(new FakeTimeProvider(Now)).Tokens;
        tokens.Add("ops", OperatorRoles.Read, "admin");

        Assert.Throws<InvalidOperationException>(() => tokens.Add("ops", OperatorRoles.Operate, "admin"));
        Assert.Throws<ArgumentException>(() => tokens.Add("bad name", OperatorRoles.Read, "admin"));
        Assert.Equal(OperatorRoles.Read, Assert.Single(tokens.List()).Role);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public void AddFirst_OnlyWhenEmpty(string kind)
    {
        using var scope = new StoreScope(kind);
        var tokens = scope.Operations(new FakeTimeProvider(Now)).Tokens;
        string? delivered = null;

        Assert.True(tokens.AddFirst("admin", OperatorRoles.Operate, "startup", token => delivered = token));
        Assert.False(tokens.AddFirst("second", OperatorRoles.Operate, "startup", _ => Assert.Fail("A second first token was delivered.")));

        Assert.Equal("admin", tokens.Verify(delivered)?.Name);
        Assert.Single(tokens.List());
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public void AddFirst_KeepsNoUndeliveredToken(string kind)
    {
        using var scope = new StoreScope(kind);
        var tokens = scope.Operations(new FakeTimeProvider(Now)).Tokens;

        Assert.Throws<IOException>(() => tokens.AddFirst("admin", OperatorRoles.Operate, "startup", _ => throw new IOException("disk full")));

        Assert.Empty(tokens.List());
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public void Changes_AreAudited(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        stores.Tokens.Add("ops", OperatorRoles.Read, "admin");
        stores.Tokens.Remove("ops", "admin");

        var entries = stores.Audit.List(10).Items;

        Assert.Equal(["token-remove", "token-add"], entries.Select(entry => entry.Action));
        Assert.All(entries, entry => Assert.Equal("ops", entry.Subject));
        Assert.All(entries, entry => Assert.Equal("admin", entry.Actor));
    }
}
