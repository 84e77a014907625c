using Relayguard.Gateway.Session;

namespace Relayguard.Gateway.Tests.Session;

/// <summary>Which spellings of a recipient count as one: CA1 matches a bounce's address to the submitted one by hash.</summary>
public sealed class RecipientHasherTests
{
    private readonly RecipientHasher _hasher = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    [Theory]
    [InlineData("\"q.r\"@bad.test", "q.r@bad.test")]
    [InlineData("Bob@Example.NET", "bob@example.net")]
    [InlineData(" bob@example.net ", "bob@example.net")]
    public void Hash_SameRecipient_SameHash(string submitted, string bounced)
    {
        Assert.Equal(_hasher.Hash(submitted), _hasher.Hash(bounced));
    }

    [Theory]
    [InlineData("\"x y\"@bad.test", "xy@bad.test")]
    [InlineData("bob@example.net", "bob@example.org")]
    public void Hash_OtherRecipient_OtherHash(string first, string second)
    {
        Assert.NotEqual(_hasher.Hash(first), _hasher.Hash(second));
    }
}
