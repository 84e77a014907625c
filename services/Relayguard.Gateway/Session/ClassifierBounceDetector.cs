using MimeKit;
using Relayguard.Bounces;

namespace Relayguard.Gateway.Session;

/// <summary>BO1's question answered by the bounce classifier: a delivery report, failure or delay, is a bounce.</summary>
public sealed class ClassifierBounceDetector(BounceClassifier classifier) : IBounceDetector
{
    public bool IsDeliveryReport(MimeMessage message, out string why)
    {
        var classification = classifier.Classify(message);
        why = classification.Why;
        return classification.Kind == MessageKind.DeliveryReport;
    }
}
