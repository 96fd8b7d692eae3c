/** Validation errors listed under the field they name. */
import type { FieldError } from '../api.ts';

export function FieldErrors({ errors, id }: { errors: FieldError[]; id: string }) {
  if (errors.length === 0) return null;
  return (
    <ul className="field-errors" id={id} role="alert">
      {errors.map((e, i) => (
        <li key={i}>
          <code>{e.path}</code> {e.message}
        </li>
      ))}
    </ul>
  );
}
