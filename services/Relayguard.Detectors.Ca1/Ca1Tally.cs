using Relayguard.Contracts;

namespace Relayguard.Detectors.Ca1;

/// <summary>
/// The counts of one account's window, leaving out recipients submitted before the account's last CA1 lift. An
/// invalid recipient counts only once its submission is recorded, so <see cref="InvalidRecipients"/> is never more
/// than <see cref="DistinctRecipients"/>. <see cref="Samples"/> contains up to 5 invalid addresses with their replies.
/// </summary>
public sealed record Ca1Tally(
    string Account,
    DateTimeOffset WindowStart,
    int DistinctRecipients,
    int InvalidRecipients,
    IReadOnlyList<EvidenceSample> Samples)
{
    public double InvalidShare => DistinctRecipients == 0 ? 0 : (double)InvalidRecipients / DistinctRecipients;
}
