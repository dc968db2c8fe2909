import type { NotificationDelivery } from '../../service/index.js';
import { Table } from './parts.js';

/** How a run's end was told: a delivery per notification policy that wanted it, with its tries. */
export function DeliveryTable({ deliveries }: { deliveries: NotificationDelivery[] }) {
  if (deliveries.length === 0) return null;
  return (
    <section id="notifications" aria-label="Notifications">
      <h2>Notifications</h2>
      <Table columns={['policy', 'event', 'status', 'tries', 'last answer', 'last error']}>
        {deliveries.map((delivery) => (
          <tr data-delivery={delivery.id}>
            <td>{delivery.policyName}</td>
            <td>{delivery.eventType}</td>
            <td>{delivery.status}</td>
            <td>{delivery.attempts}</td>
            <td>{delivery.lastStatusCode ?? '–'}</td>
            <td>{delivery.lastErrorCode ? `${delivery.lastErrorCode}: ${delivery.lastError ?? ''}` : '–'}</td>
          </tr>
        ))}
      </Table>
    </section>
  );
}
