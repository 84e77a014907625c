using static Relayguard.Bounces.Tests.TestMessages;

namespace Relayguard.Bounces.Tests;

/// <summary>Known bounce subjects decide without any report text, in several languages and encodings.</summary>
public sealed class BounceSubjectTests
{
    [Theory]
    [InlineData("DELIVERY FAILURE: User x not listed")]
    [InlineData("Delivery Notification: Delivery has failed")]
    [InlineData("Delivery failure: Returned to Sender")]
    [InlineData("Message you sent blocked by our bulk email filter")]
    [InlineData("Delivery Status Notification (Failure)")]
    [InlineData("Mail System Error - Returned Mail")]
    [InlineData("Mail delivery failed: returning message to sender")]
    [InlineData("Returned mail: User unknown")]
    [InlineData("Returned mail: see transcript for details")]
    [InlineData("Undelivered Mail Returned to Sender")]
    [InlineData("failure notice")]
    [InlineData("Permanent Delivery Failure")]
    [InlineData("Returned email")]
    [InlineData("Transient Delivery Failure")]
    [InlineData("UNDELIVERED MAIL RETURNED TO SENDER")]
    [InlineData("Undeliverable: hello")]
    [InlineData("Non remis : hello")]
    [InlineData("Unzustellbar: hello")]
    [InlineData("No se puede entregar: hello")]
    [InlineData("Non recapitabile: hello")]
    [InlineData("Não é possível entregar: hello")]
    [InlineData("Onbestelbaar: hello")]
    [InlineData("Nie można dostarczyć: hello")]
    [InlineData("配信不能: こんにちは")]
    [InlineData("无法投递: 你好")]
    [InlineData("無法傳遞: 你好")]
    [InlineData("=?UTF-8?B?VW56dXN0ZWxsYmFyOiBUZXN0?=")]
    [InlineData("=?ISO-2022-JP?B?GyRCR1s/LklURz0bKEI6IHRlc3Q=?=")]
    [InlineData("=?GB2312?B?zt63qM22td06IHRlc3Q=?=")]
    [InlineData("=?ISO-8859-1?Q?Notifica=E7=E3o_de_status_de_entrega?=")]
    [InlineData("Delivery Status\r\n Notification (Failure)")]
    public void Subject_MakesReport(string subject)
    {
        var raw = Plain($"From: someone@example.net\nTo: sender@example.com\nSubject: {subject}", "hello");

        var result = Classify(raw);

        Assert.True(result.Kind == MessageKind.DeliveryReport, $"{subject}: {result.Kind} ({result.Why})");
    }

    [Theory]
    [InlineData("Automatic reply: Undeliverable: hello")]
    [InlineData("Re: Undelivered Mail Returned to Sender")]
    [InlineData("Delivery status of your order")]
    [InlineData("Returned items")]
    public void Subject_DoesNotMakeReport(string subject)
    {
        var raw = Plain($"From: person@example.org\nTo: sender@example.com\nSubject: {subject}", "hello");

        var result = Classify(raw);

        Assert.NotEqual(MessageKind.DeliveryReport, result.Kind);
    }
}
