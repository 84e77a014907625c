using MimeKit;

namespace Relayguard.Gateway.Session;

/// <summary>Decides whether a null-sender message is a delivery report (BO1).</summary>
public interface IBounceDetector
{
    bool IsDeliveryReport(MimeMessage message, out string why);
}
