import { Type } from 'typebox';
import { IsoTime, Nullable, Uuid } from '../../core/http/schemas.js';

export const NotificationSchema = Type.Object(
  {
    id: Uuid,
    kind: Type.String({ description: 'e.g. catalog.submitted, catalog.deadline.overdue' }),
    params: Type.Record(Type.String(), Type.Unknown(), { description: 'What the text is rendered from; depends on the kind' }),
    text: Type.Object({ zh: Type.String(), en: Type.String() }),
    link: Nullable(Type.String({ description: 'Portal path, e.g. /catalog/entries/<id>' })),
    subject: Nullable(Type.Object({ type: Type.String(), id: Type.String() })),
    createdAt: IsoTime,
    readAt: Nullable(IsoTime),
  },
  { $id: 'Notification', title: 'Notification' },
);

export const NotificationParams = Type.Object({ id: Uuid });
