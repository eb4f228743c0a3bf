import { PageFrame } from '../components/PageFrame';
import { NOT_FOUND_TITLE } from '../routes';

export function NotFound() {
  return (
    <PageFrame title={NOT_FOUND_TITLE}>
      <p>Возможно, адрес набран с ошибкой или страница была перемещена.</p>
      <p>
        <a href="/">Перейти на главную</a>
      </p>
    </PageFrame>
  );
}
