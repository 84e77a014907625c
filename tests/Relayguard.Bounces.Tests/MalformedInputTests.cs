using System.Text;
using static Relayguard.Bounces.Tests.TestMessages;

namespace Relayguard.Bounces.Tests;

public sealed class MalformedInputTests
{
    public static TheoryData<string, byte[]> Inputs => new()
    {
        { "empty", [] },
        { "one blank line", "\r\n"u8.ToArray() },
        { "random bytes", RandomBytes(4096) },
        { "header without body", "Subject: x"u8.ToArray() },
        { "report without parts", Encoding.ASCII.GetBytes("Content-Type: multipart/report; report-type=delivery-status\r\n\r\n") },
        { "truncated report", Encoding.ASCII.GetBytes(Report("Final-Recipient: rfc822; a@example.org\nAction: failed")[..300]) },
        { "nested multiparts", Encoding.ASCII.GetBytes(NestedMultiparts(300)) },
        { "long line", Encoding.ASCII.GetBytes("Subject: failure notice\r\n\r\n" + new string('<', 200_000) + "@" + new string('a', 200_000)) },
        { "invalid charset", Encoding.ASCII.GetBytes("Subject: failure notice\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\n<a@example.org>:\r\nUser unknown\r\n") },
        { "broken base64", Encoding.ASCII.GetBytes("Subject: failure notice\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%%not base64%%%%\r\n") },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Classify_NeverThrows(string name, byte[] input)
    {
        using var stream = new MemoryStream(input);

        var result = new BounceClassifier().Classify(stream);

        Assert.False(string.IsNullOrEmpty(result.Why), name);
        Assert.NotNull(result.Recipients);
    }

    [Fact]
    public void Classify_NullStreamThrows()
    {
        Assert.Throws<ArgumentNullException>(() => new BounceClassifier().Classify((Stream)null!));
    }

    [Fact]
    public void Classify_NonSeekableStream()
    {
        var bytes = Encoding.UTF8.GetBytes(Report("Final-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1"));
        using var stream = new NonSeekableStream(bytes);

        var result = new BounceClassifier().Classify(stream);

        Assert.Equal(MessageKind.DeliveryReport, result.Kind);
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(7).NextBytes(bytes);
        return bytes;
    }

    private static string NestedMultiparts(int depth)
    {
        var builder = new StringBuilder("Subject: failure notice\r\n");
        for (var i = 0; i < depth; i++)
        {
            builder.Append($"Content-Type: multipart/mixed; boundary=\"n{i}\"\r\n\r\n--n{i}\r\n");
        }

        return builder.Append("Content-Type: text/plain\r\n\r\n<a@example.org>:\r\nUser unknown\r\n").ToString();
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
