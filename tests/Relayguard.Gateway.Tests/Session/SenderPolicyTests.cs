using Microsoft.Extensions.Options;
using Relayguard.Gateway.Session;

namespace Relayguard.Gateway.Tests.Session;

public sealed class SenderPolicyTests
{
    private static readonly SenderPolicy Policy = new(Options.Create(new SenderPolicyOptions
    {
        Accounts = new Dictionary<string, List<string>>
        {
            ["alice"] = ["alice@example.com", "@shop.example.com"],
            ["webshop"] = ["example.org"],
        },
    }));

    [Theory]
    [InlineData("alice", "alice@example.com", true)]
    [InlineData("ALICE", "Alice@Example.com", true)]
    [InlineData("alice", "orders@shop.example.com", true)]
    [InlineData("alice", "bob@example.com", false)]
    [InlineData("alice", "alice@evil.example.net", false)]
    [InlineData("webshop", "noreply@example.org", true)]
    [InlineData("webshop", "noreply@sub.example.org", false)]
    [InlineData("alice", "", true)]
    [InlineData("carol", "anything@anywhere.example", true)]
    [InlineData("dave@example.net", "dave@example.net", true)]
    [InlineData("dave@example.net", "ceo@example.net", false)]
    public void IsAllowed_Cases(string account, string sender, bool allowed)
    {
        Assert.Equal(allowed, Policy.IsAllowed(account, sender));
    }

    [Fact]
    public void Mode_Default_IsLog()
    {
        Assert.Equal(SenderPolicy.Log, new SenderPolicy(Options.Create(new SenderPolicyOptions())).Mode);
    }

    [Theory]
    [InlineData("off", true)]
    [InlineData("Refuse", true)]
    [InlineData("block", false)]
    public void Validator_Policy_Checked(string mode, bool valid)
    {
        Assert.Equal(valid, new SessionOptionsValidator().Validate(null, new SenderPolicyOptions { Policy = mode }).Succeeded);
    }
}
