using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Relayguard.Bounces;

/// <summary>The output of <c>relayguard classify FILE...</c>: one JSON object per line and file.</summary>
public static class ClassifyOutput
{
    /// <summary>The file argument that stands for standard input.</summary>
    public const string StandardInputName = "-";

    /// <summary>
    /// Classifies each file and writes <c>{"file", "kind", "recipients"}</c>, with recipients only
    /// for delivery reports. A file that cannot be read gives <c>{"file", "error"}</c> and the
    /// remaining files are still classified. Returns the number of files that gave an error.
    /// </summary>
    /// <param name="standardInput">The message read for the argument <c>-</c>; null makes <c>-</c> a file name.</param>
    public static int Write(IEnumerable<string> files, TextWriter output, Stream? standardInput = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(output);

        var classifier = new BounceClassifier();
        var errors = 0;
        foreach (var file in files)
        {
            var (line, failed) = file == StandardInputName && standardInput is not null
                ? ClassifyStandardInput(classifier, standardInput)
                : ClassifyFile(classifier, file);
            output.WriteLine(line);
            errors += failed ? 1 : 0;
        }

        return errors;
    }

    private static (string Line, bool Failed) ClassifyFile(BounceClassifier classifier, string file)
    {
        if (Directory.Exists(file))
        {
            return (ErrorLine(file, $"'{file}' is a directory. Pass one file per message."), true);
        }

        Classification classification;
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length == 0)
            {
                return (ErrorLine(file, $"'{file}' is empty: it contains no message to classify."), true);
            }

            classification = classifier.Classify(stream);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return (ErrorLine(file, ex.Message), true);
        }
        catch (Exception ex)
        {
            // One message that breaks the classifier must not stop the files after it.
            return (ErrorLine(file, $"Classification failed: {ex.GetType().Name}: {ex.Message}"), true);
        }

        return (ToJson(writer => WriteClassification(writer, file, classification)), false);
    }

    /// <summary>
    /// Classifies the message on standard input. It is read to its end first, so a second <c>-</c> finds it empty and
    /// gets an error line.
    /// </summary>
    private static (string Line, bool Failed) ClassifyStandardInput(BounceClassifier classifier, Stream standardInput)
    {
        using var message = new MemoryStream();
        try
        {
            standardInput.CopyTo(message);
        }
        catch (IOException ex)
        {
            return (ErrorLine(StandardInputName, $"Standard input could not be read: {ex.Message}"), true);
        }

        if (message.Length == 0)
        {
            return (ErrorLine(StandardInputName, "Standard input is empty: pipe one message into it, for example relayguard classify - < bounce.eml."), true);
        }

        message.Position = 0;
        try
        {
            var classification = classifier.Classify(message);
            return (ToJson(writer => WriteClassification(writer, StandardInputName, classification)), false);
        }
        catch (Exception ex)
        {
            return (ErrorLine(StandardInputName, $"Classification failed: {ex.GetType().Name}: {ex.Message}"), true);
        }
    }

    private static string ErrorLine(string file, string error) => ToJson(writer =>
    {
        writer.WriteString("file", file);
        writer.WriteString("error", error);
    });

    private static void WriteClassification(Utf8JsonWriter writer, string file, Classification classification)
    {
        writer.WriteString("file", file);
        writer.WriteString("kind", KindName(classification.Kind));
        if (classification.Kind != MessageKind.DeliveryReport)
        {
            return;
        }

        writer.WriteStartArray("recipients");
        foreach (var recipient in classification.Recipients)
        {
            writer.WriteStartObject();
            writer.WriteString("address", recipient.Address);
            writer.WriteString("action", recipient.Action);
            writer.WriteString("status", recipient.Status);
            if (recipient.ReplyCode is { } code)
            {
                writer.WriteNumber("replyCode", code);
            }
            else
            {
                writer.WriteNull("replyCode");
            }

            writer.WriteString("reason", ReasonNames.ToWire(recipient.Reason));
            writer.WriteBoolean("hard", recipient.AddressInvalid);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>Returns the kebab-case name of a kind, such as <c>delivery-report</c>.</summary>
    internal static string KindName(MessageKind kind) => kind switch
    {
        MessageKind.DeliveryReport => "delivery-report",
        MessageKind.AutoReply => "auto-reply",
        MessageKind.ReadReceipt => "read-receipt",
        MessageKind.FeedbackReport => "feedback-report",
        MessageKind.Ordinary => "ordinary",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown message kind."),
    };

    private static string ToJson(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps quotes and non-ASCII text readable, which is safe because the
        // output is a command's standard output, not HTML.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
