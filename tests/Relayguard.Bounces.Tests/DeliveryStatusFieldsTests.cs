namespace Relayguard.Bounces.Tests;

public sealed class DeliveryStatusFieldsTests
{
    [Fact]
    public void Parse_MessageAndRecipientGroups()
    {
        var fields = DeliveryStatusFields.Parse("Reporting-MTA: dns; mx.example.net\nOriginal-Envelope-Id: RG-1\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\n");

        Assert.Equal("RG-1", fields.Message["Original-Envelope-Id"]);
        Assert.Equal("rfc822; a@example.org", Assert.Single(fields.Recipients)["Final-Recipient"]);
    }

    [Fact]
    public void Parse_FoldedValueJoined()
    {
        var fields = DeliveryStatusFields.Parse("Final-Recipient: rfc822; a@example.org\nDiagnostic-Code: smtp; 550 5.1.1\n    User unknown\n");

        Assert.Equal("smtp; 550 5.1.1 User unknown", Assert.Single(fields.Recipients)["Diagnostic-Code"]);
    }

    [Fact]
    public void Parse_FieldNamesIgnoreCase()
    {
        var fields = DeliveryStatusFields.Parse("final-recipient: rfc822; a@example.org\nACTION: failed\n");

        Assert.Equal("failed", Assert.Single(fields.Recipients)["Action"]);
    }

    [Fact]
    public void Parse_ActionBeforeRecipientStaysInGroup()
    {
        var fields = DeliveryStatusFields.Parse("Action: failed\nFinal-Recipient: rfc822; a@example.org\nOriginal-Recipient: rfc822; a@example.org\nStatus: 5.1.1\n");

        var group = Assert.Single(fields.Recipients);
        Assert.Equal("failed", group["Action"]);
        Assert.Equal("5.1.1", group["Status"]);
    }

    [Theory]
    [InlineData("rfc822; a@example.org", "a@example.org")]
    [InlineData("rfc822;<a@example.org>", "a@example.org")]
    [InlineData("<a@example.org>", "a@example.org")]
    [InlineData("RFC822; localpart", "localpart")]
    [InlineData("rfc822; ", null)]
    public void AddressOf_RecipientField(string field, string? expected)
    {
        Assert.Equal(expected, DeliveryStatusReport.AddressOf(field));
    }
}
