namespace Relayguard.Bounces.Tests;

public sealed class AddressFormsTests
{
    public static TheoryData<string, string> Addresses => new()
    {
        // A quoted dot-atom loses its quotes, the way Postfix writes it back.
        { "\"q.r\"@bad.test", "q.r@bad.test" },
        { "\"Q.R\"@Bad.TEST", "Q.R@bad.test" },
        { "\"q\\.r\"@bad.test", "q.r@bad.test" },
        { "\"o'neil+tag\"@bad.test", "o'neil+tag@bad.test" },

        // Content that needs the quotes keeps them, escapes included.
        { "\"x y\"@BAD.test", "\"x y\"@bad.test" },
        { "\"x\\\"y\"@bad.test", "\"x\\\"y\"@bad.test" },
        { "\"a@b\"@bad.test", "\"a@b\"@bad.test" },
        { "\".q\"@bad.test", "\".q\"@bad.test" },
        { "\"q.\"@bad.test", "\"q.\"@bad.test" },
        { "\"q..r\"@bad.test", "\"q..r\"@bad.test" },
        { "\"\"@bad.test", "\"\"@bad.test" },

        // Only the domain changes in an unquoted address, and the local part keeps its case.
        { "Gone.User@Example.ORG", "Gone.User@example.org" },
        { "user@[192.0.2.1]", "user@[192.0.2.1]" },

        // Text that is not an address comes back unchanged.
        { "no-at-sign", "no-at-sign" },
        { "\"unterminated@bad.test", "\"unterminated@bad.test" },
        { "", "" },
    };

    [Theory]
    [MemberData(nameof(Addresses))]
    public void Canonical_Address(string address, string expected)
    {
        Assert.Equal(expected, AddressForms.Canonical(address));
    }

    [Fact]
    public void Canonical_QuotedAndPlainMatch()
    {
        Assert.Equal(AddressForms.Canonical("q.r@Bad.Test"), AddressForms.Canonical("\"q.r\"@bad.test"));
    }
}
